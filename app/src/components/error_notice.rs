//! The error state: what went wrong, in the page's language, with Graph's own message and the
//! request id an administrator can quote to Microsoft.
use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Msg, use_locale};
use crate::query::PageError;

#[component]
pub fn ErrorNotice(error: PageError) -> impl IntoView {
    let locale = use_locale();
    let (title, message, code, request_id) = match error {
        PageError::Range(range) => (
            locale.t(Msg::InvalidRange),
            locale.t(range.message()).to_string(),
            None,
            None,
        ),
        PageError::App(AppError::Graph {
            message,
            code,
            request_id,
        }) => (
            locale.t(Msg::ErrorTitle),
            format!("Microsoft Graph: {message}"),
            code,
            request_id,
        ),
        PageError::App(other) => (locale.t(Msg::ErrorTitle), other.to_string(), None, None),
    };
    view! {
        <div class="error" role="alert" data-testid="error">
            <p class="error-title">{title}</p>
            <p data-testid="error-message">{message}</p>
            {code
                .map(|code| {
                    view! {
                        <p class="request-id">
                            {locale.t(Msg::ErrorCode)} ": " <code>{code}</code>
                        </p>
                    }
                })}
            {request_id
                .map(|id| {
                    view! {
                        <p class="request-id" data-testid="request-id">
                            {locale.t(Msg::RequestId)} ": " <code>{id}</code>
                        </p>
                    }
                })}
        </div>
    }
}
