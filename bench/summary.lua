-- wrk script: POST the summary server function for the range in BENCH_FORM, asking for gzip
-- as a browser does (the server compresses, wrk does not decompress: the payload is measured
-- as sent).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_FORM")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept-Encoding"] = "gzip, br"
