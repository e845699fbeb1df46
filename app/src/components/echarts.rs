//! Draws a `ChartSpec` with charming's WasmRenderer (the global `echarts` from /echarts.min.js),
//! without animation, in colours readable on the light and the dark theme. Browser only.
use std::cell::RefCell;

use charming::component::{Axis, Grid};
use charming::element::{AxisLabel, AxisType, ItemStyle, LineStyle, SplitLine, Tooltip, Trigger};
use charming::series::Bar;
use charming::{Chart, WasmRenderer};
use leptos::prelude::request_animation_frame;
use leptos::web_sys;
use wasm_bindgen::prelude::*;

use super::chart_spec::{ChartKind, ChartSpec};

const ACCENT: &str = "#2f7dd1";
const MUTED: &str = "#8a94a0";
const GRID_LINE: &str = "rgba(138, 148, 160, 0.25)";

#[wasm_bindgen]
extern "C" {
    type Instance;

    #[wasm_bindgen(js_namespace = echarts, js_name = getInstanceByDom)]
    fn instance_of(element: &web_sys::Element) -> Option<Instance>;

    #[wasm_bindgen(js_namespace = echarts, js_name = init)]
    fn init(element: &web_sys::Element) -> charming::Echarts;

    #[wasm_bindgen(method)]
    fn dispose(this: &Instance);

    #[wasm_bindgen(method)]
    fn resize(this: &Instance);
}

thread_local! {
    /// The chart elements drawn, to resize them with the window.
    static DRAWN: RefCell<Vec<web_sys::Element>> = const { RefCell::new(Vec::new()) };
}

/// Frames to wait for an element built off-page (a transition's next view) to be attached.
const ATTACH_FRAMES: u32 = 120;

/// Draws (or redraws) the chart into `element` once it is on the page. The element itself is
/// used, not its id: during a transition the old view, with the same ids, is still on the page.
pub fn draw(element: web_sys::Element, spec: ChartSpec) {
    draw_when_attached(element, spec, ATTACH_FRAMES);
}

fn draw_when_attached(element: web_sys::Element, spec: ChartSpec, frames: u32) {
    if !element.is_connected() {
        if frames > 0 {
            request_animation_frame(move || draw_when_attached(element, spec, frames - 1));
        }
        // Never attached: the view was dropped before it was shown, nothing to draw.
        return;
    }
    if let Some(instance) = instance_of(&element) {
        instance.dispose();
    }
    let instance = init(&element);
    WasmRenderer::update(&instance, &build(&spec));
    DRAWN.with(|drawn| {
        let mut drawn = drawn.borrow_mut();
        drawn.retain(|other| other.is_connected() && *other != element);
        drawn.push(element);
    });
}

/// Fits every chart still on the page to its container (after a window resize).
pub fn resize_all() {
    DRAWN.with(|drawn| {
        drawn.borrow_mut().retain(|element| {
            if !element.is_connected() {
                return false;
            }
            if let Some(instance) = instance_of(element) {
                instance.resize();
            }
            true
        })
    });
}

fn build(spec: &ChartSpec) -> Chart {
    let categories = Axis::new()
        .type_(AxisType::Category)
        .data(spec.labels.clone())
        .axis_label(AxisLabel::new().color(MUTED));
    let values = Axis::new()
        .type_(AxisType::Value)
        .axis_label(AxisLabel::new().color(MUTED))
        .split_line(SplitLine::new().line_style(LineStyle::new().color(GRID_LINE)));
    let chart = Chart::new()
        .animation(false)
        .background_color("transparent")
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                .left("8")
                .right("24")
                .top("16")
                .bottom("8")
                .contain_label(true),
        )
        .series(
            Bar::new()
                .name(spec.series.clone())
                .data(spec.values.clone())
                .item_style(ItemStyle::new().color(ACCENT)),
        );
    match spec.kind {
        ChartKind::Columns => chart.x_axis(categories).y_axis(values),
        // Largest first, at the top.
        ChartKind::Bars => chart.x_axis(values).y_axis(categories.inverse(true)),
    }
}
