// In a frame (embed mode, ?embed=1): tells the page that frames the portal how tall its page is,
// whenever that changes, so the frame can take that height and never needs a scrollbar of its
// own. The message goes to the framing page's origin only (the browser drops it for any other);
// which sites may frame the portal at all is PORTAL_FRAME_ANCESTORS. See docs/embedding.md.
(function () {
  if (window.parent === window) return;
  var ancestors = window.location.ancestorOrigins;
  var target = ancestors && ancestors.length ? ancestors[0] : null;
  if (!target && document.referrer) {
    try { target = new URL(document.referrer).origin; } catch (error) { target = null; }
  }
  if (!target) return;
  var sent = -1;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: 'dialout-portal:height', height: height }, target);
  }
  new ResizeObserver(send).observe(document.documentElement);
  send();
})();
