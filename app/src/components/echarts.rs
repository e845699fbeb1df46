//! Draws a `ChartSpec` with ECharts (the global `echarts` from /echarts.min.js), its option
//! built from charming's typed components, without animation, in colours readable on the light
//! and the dark theme. Browser only.
//!
//! The option is our own struct of the charming parts we draw with, serialized by the
//! serde_json the bundle already carries, not charming's `Chart` through its `WasmRenderer`:
//! `Chart` holds every series and component ECharts has, and serializing it (with
//! serde_wasm_bindgen) put about 170 KB of code for charts we never draw into the WASM.
use std::cell::RefCell;

use charming::component::{Axis, Grid};
use charming::element::{AxisLabel, AxisType, ItemStyle, LineStyle, SplitLine, Tooltip, Trigger};
use charming::series::Bar;
use leptos::prelude::request_animation_frame;
use leptos::web_sys;
use serde::Serialize;
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
    fn init(element: &web_sys::Element) -> Instance;

    #[wasm_bindgen(method, js_name = setOption)]
    fn set_option(this: &Instance, option: JsValue);

    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_json(text: &str) -> Result<JsValue, JsValue>;

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
    let option = leptos::serde_json::to_string(&build(&spec))
        .ok()
        .and_then(|text| parse_json(&text).ok());
    // Serializing plain data cannot fail; if it ever did, the data table still shows it all.
    let Some(option) = option else { return };
    init(&element).set_option(option);
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

/// The ECharts option of a bar chart: only the parts we draw with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BarChart {
    animation: bool,
    background_color: &'static str,
    tooltip: Tooltip,
    grid: Grid,
    x_axis: Axis,
    y_axis: Axis,
    series: [Bar; 1],
}

fn build(spec: &ChartSpec) -> BarChart {
    let categories = Axis::new()
        .type_(AxisType::Category)
        .data(spec.labels.clone())
        .axis_label(AxisLabel::new().color(MUTED));
    let values = Axis::new()
        .type_(AxisType::Value)
        .axis_label(AxisLabel::new().color(MUTED))
        .split_line(SplitLine::new().line_style(LineStyle::new().color(GRID_LINE)));
    let (x_axis, y_axis) = match spec.kind {
        ChartKind::Columns => (categories, values),
        // Largest first, at the top.
        ChartKind::Bars => (values, categories.inverse(true)),
    };
    BarChart {
        animation: false,
        background_color: "transparent",
        tooltip: Tooltip::new().trigger(Trigger::Axis),
        grid: Grid::new()
            .left("8")
            .right("24")
            .top("16")
            .bottom("8")
            .contain_label(true),
        x_axis,
        y_axis,
        series: [Bar::new()
            .name(spec.series.clone())
            .data(spec.values.clone())
            .item_style(ItemStyle::new().color(ACCENT))],
    }
}
