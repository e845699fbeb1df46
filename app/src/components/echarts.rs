//! Draws a `ChartSpec` with ECharts (the global `echarts` from /echarts.min.js), its option
//! built from charming's typed components, without animation, in colours readable on the light
//! and the dark theme. Browser only.
//!
//! The option is our own struct of the charming parts we draw with, serialized by the
//! serde_json the bundle already carries, not charming's `Chart` through its `WasmRenderer`:
//! `Chart` holds every series and component ECharts has, and serializing it (with
//! serde_wasm_bindgen) put about 170 KB of code for charts we never draw into the WASM.
//! JSON cannot carry functions, so the two formatters (axis ticks and tooltips, both written by
//! the portal in the page's language) and `hideOverlap` (which charming's `AxisLabel` lacks) are
//! set on the parsed option.
use std::cell::RefCell;

use charming::component::{Axis, Grid};
use charming::datatype::DataPointItem;
use charming::element::{
    AxisLabel, AxisType, BorderType, ItemStyle, LineStyle, NameLocation, SplitLine, TextStyle,
    Tooltip, Trigger,
};
use charming::series::Bar;
use leptos::prelude::request_animation_frame;
use leptos::web_sys;
use leptos::web_sys::js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::chart_spec::{ChartKind, ChartSpec};

const ACCENT: &str = "#2f7dd1";
const MUTED: &str = "#8a94a0";
const GRID_LINE: &str = "rgba(138, 148, 160, 0.25)";
/// A partial bucket: the accent, lighter, with a dashed outline (not colour alone).
const PARTIAL_FILL: &str = "rgba(47, 125, 209, 0.35)";

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
    if set_formatters(&option, spec, element.client_width()).is_err() {
        return;
    }
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
    let labels: Vec<String> = spec.points.iter().map(|p| p.label.clone()).collect();
    let categories = Axis::new()
        .type_(AxisType::Category)
        .data(labels)
        .axis_label(AxisLabel::new().color(MUTED));
    let mut values = Axis::new()
        .type_(AxisType::Value)
        .axis_label(AxisLabel::new().color(MUTED))
        .split_line(SplitLine::new().line_style(LineStyle::new().color(GRID_LINE)));
    if spec.unit.is_none() {
        // Calls and minutes: no tick at half a call.
        values = values.min_interval(1.0);
    }
    // The currency names the value axis: under the bars of a horizontal chart, above the axis
    // of a vertical one.
    let named = |axis: Axis, location: NameLocation, gap: f64| match &spec.unit {
        Some(currency) => axis
            .name(currency.clone())
            .name_location(location)
            .name_gap(gap)
            .name_text_style(TextStyle::new().color(MUTED)),
        None => axis,
    };
    let (x_axis, y_axis, grid) = match spec.kind {
        ChartKind::Columns => (
            categories,
            named(values, NameLocation::End, 10.0),
            Grid::new().left("8").right("24").top("28").bottom("8"),
        ),
        // Largest first, at the top.
        ChartKind::Bars => (
            named(values, NameLocation::Middle, 26.0),
            categories.inverse(true),
            Grid::new().left("8").right("24").top("8").bottom("28"),
        ),
    };
    let data: Vec<DataPointItem> = spec
        .points
        .iter()
        .map(|point| {
            let item = DataPointItem::new(point.value);
            if point.partial {
                item.item_style(
                    ItemStyle::new()
                        .color(PARTIAL_FILL)
                        .border_color(ACCENT)
                        .border_width(1.5)
                        .border_type(BorderType::Dashed),
                )
            } else {
                item
            }
        })
        .collect();
    BarChart {
        animation: false,
        background_color: "transparent",
        tooltip: Tooltip::new().trigger(Trigger::Axis),
        grid: grid.contain_label(true),
        x_axis,
        y_axis,
        series: [Bar::new()
            .name(spec.series.clone())
            .data(data)
            .item_style(ItemStyle::new().color(ACCENT))],
    }
}

/// Sets the value axis's tick formatter and the tooltip's on the parsed `option`, hides tick
/// labels that would overlap, and fits a horizontal chart's names to its `width` (px): they
/// take at most a third of it, so the bars keep room on a 320 px phone.
fn set_formatters(option: &JsValue, spec: ChartSpec, width: i32) -> Result<(), JsValue> {
    let (value_axis, category_axis) = match spec.kind {
        ChartKind::Columns => ("yAxis", "xAxis"),
        ChartKind::Bars => ("xAxis", "yAxis"),
    };
    let axis_label =
        |axis: &str| Reflect::get(&Reflect::get(option, &axis.into())?, &"axisLabel".into());
    if spec.kind == ChartKind::Bars {
        let names = axis_label(category_axis)?;
        Reflect::set(
            &names,
            &"width".into(),
            &f64::from((width / 3).max(60)).into(),
        )?;
        Reflect::set(&names, &"overflow".into(), &"truncate".into())?;
    }
    if width < 480 {
        // Fewer ticks: five compact labels still touch on a phone.
        Reflect::set(
            &Reflect::get(option, &value_axis.into())?,
            &"splitNumber".into(),
            &3.into(),
        )?;
    }
    let spec = std::rc::Rc::new(spec);
    let ticks = {
        let spec = spec.clone();
        Closure::<dyn Fn(f64) -> String>::new(move |value| spec.tick(value))
    };
    let label = Reflect::get(
        &Reflect::get(option, &value_axis.into())?,
        &"axisLabel".into(),
    )?;
    Reflect::set(&label, &"formatter".into(), &ticks.into_js_value())?;
    Reflect::set(&label, &"hideOverlap".into(), &true.into())?;
    let tooltip = Closure::<dyn Fn(JsValue) -> String>::new(move |params: JsValue| {
        // The axis trigger passes every series at that category; we draw one.
        let first = if Array::is_array(&params) {
            Array::from(&params).get(0)
        } else {
            params
        };
        Reflect::get(&first, &"dataIndex".into())
            .ok()
            .and_then(|index| index.as_f64())
            .and_then(|index| spec.points.get(index as usize))
            .map(|point| point.tooltip_html())
            .unwrap_or_default()
    });
    let tooltip_option = Reflect::get(option, &"tooltip".into())?;
    // Inside the chart: on a phone a tooltip beside a bar would leave the screen.
    Reflect::set(&tooltip_option, &"confine".into(), &true.into())?;
    // Long names wrap instead of widening the tooltip past the chart.
    let wrap = format!(
        "max-width: {}px; white-space: normal; overflow-wrap: anywhere;",
        (width - 16).max(120)
    );
    Reflect::set(&tooltip_option, &"extraCssText".into(), &wrap.into())?;
    Reflect::set(
        &tooltip_option,
        &"formatter".into(),
        &tooltip.into_js_value(),
    )?;
    Ok(())
}
