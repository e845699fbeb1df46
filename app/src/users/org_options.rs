//! The users table's organisation filter: its choices written as `<option>`s on the server, in
//! the page's language, one `<optgroup>` per grouping, so the browser carries no code or words
//! for them (it places the markup in the `<select>`).
use leptos::prelude::*;

use crate::i18n::{Locale, Msg};
use crate::report::org::{OrgFilter, OrgGroup};

/// `choices` as `RangeData::org_choices` lists them (grouping by grouping), `selected` marked;
/// "All" first. Empty when there are no choices (the directory was never read).
pub fn org_options_html(choices: &[String], selected: Option<&str>, locale: Locale) -> String {
    let filters: Vec<OrgFilter> = choices
        .iter()
        .filter_map(|choice| OrgFilter::parse(choice).ok())
        .collect();
    if filters.is_empty() {
        return String::new();
    }
    // Consecutive choices of one grouping under its heading; people missing from the
    // directory under "Directory".
    let heading = |filter: &OrgFilter| match filter.group {
        OrgGroup::NotInDirectory => Msg::DirectoryColumn,
        _ => filter.dimension.title(),
    };
    let mut groups: Vec<(Msg, Vec<&OrgFilter>)> = Vec::new();
    for filter in &filters {
        match groups.last_mut() {
            Some((last, members)) if *last == heading(filter) => members.push(filter),
            _ => groups.push((heading(filter), vec![filter])),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(title, members)| {
            let options = members
                .into_iter()
                .map(|filter| {
                    let value = filter.name();
                    let text = match &filter.group {
                        OrgGroup::Named(name) => name.clone(),
                        OrgGroup::Unassigned => locale.t(Msg::OrgUnassigned).to_string(),
                        OrgGroup::NotInDirectory => locale.t(Msg::NotInDirectory).to_string(),
                    };
                    let is_selected = selected == Some(value.as_str());
                    view! { <option value=value selected=is_selected>{text}</option> }
                })
                .collect_view();
            view! { <optgroup label=locale.t(title)>{options}</optgroup> }
        })
        .collect_view();
    view! {
        <option value="" selected=selected.is_none()>{locale.t(Msg::All)}</option>
        {groups}
    }
    .to_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_grouping_has_its_heading_and_the_choice_is_selected() {
        let choices = [
            "department:R&D <Labs>",
            "department:",
            "cost_center:CC-1100",
            "not_in_directory",
        ]
        .map(String::from);
        let html = org_options_html(&choices, Some("cost_center:CC-1100"), Locale::En);
        assert!(
            html.starts_with(r#"<option value="">All</option>"#),
            "{html}"
        );
        assert!(html.contains(r#"<optgroup label="Department">"#), "{html}");
        assert!(html.contains("R&amp;D &lt;Labs&gt;"), "escaped: {html}");
        assert!(
            html.contains(r#"<option value="department:">(none in the directory)</option>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="cost_center:CC-1100" selected>CC-1100</option>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<optgroup label="Directory"><option value="not_in_directory">"#),
            "{html}"
        );
        let pt = org_options_html(&choices, None, Locale::PtBr);
        assert!(
            pt.contains(r#"<option value="" selected>Todos</option>"#)
                || pt.contains("selected>Tod"),
            "{pt}"
        );
        assert!(pt.contains(r#"label="Centro de custo""#), "{pt}");
        assert_eq!(org_options_html(&[], None, Locale::En), "");
    }
}
