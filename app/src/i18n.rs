//! English and Brazilian Portuguese: the locale, the UI strings and date formats. Pure; the
//! locale a page uses is chosen once per request (`?lang=`, else Accept-Language) and put in the
//! Leptos context.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    PtBr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::PtBr];

    /// The BCP 47 tag, as in `<html lang>` and `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::PtBr => "pt-BR",
        }
    }

    /// The language's own name, for the language switcher.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::PtBr => "Português (Brasil)",
        }
    }

    /// `en`, `en-GB`, `pt`, `pt-BR`... (any Portuguese gets Brazilian Portuguese).
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "pt" => Some(Locale::PtBr),
            _ => None,
        }
    }

    /// The language of a request, for the app's pages and the sign-in pages alike: `lang=` in
    /// the query (or in the query of its `return_to` path, on the way through sign-in), else the
    /// best supported language of the Accept-Language header, else English.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Locale {
        query
            .and_then(lang_in_query)
            .or_else(|| accept_language.map(Locale::best_accepted))
            .unwrap_or_default()
    }

    /// The best supported language of an Accept-Language header; English when none is.
    fn best_accepted(accept_language: &str) -> Locale {
        let mut offers: Vec<(f32, usize, Locale)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(index, item)| {
                let mut parts = item.split(';');
                let locale = Locale::parse(parts.next()?)?;
                let quality = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, index, locale))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|offer| offer.2).unwrap_or_default()
    }

    pub fn decimal_separator(self) -> char {
        match self {
            Locale::En => '.',
            Locale::PtBr => ',',
        }
    }

    pub fn group_separator(self) -> char {
        match self {
            Locale::En => ',',
            Locale::PtBr => '.',
        }
    }

    /// A whole number grouped in thousands: `1,234,567` in English, `1.234.567` in Portuguese.
    pub fn format_count(self, value: u64) -> String {
        self.group_digits(&value.to_string())
    }

    /// A run of digits with this language's thousands separators.
    pub fn group_digits(self, digits: &str) -> String {
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                out.push(self.group_separator());
            }
            out.push(digit);
        }
        out
    }

    /// The UI string `msg` in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        let (en, pt) = msg.texts();
        match self {
            Locale::En => en,
            Locale::PtBr => pt,
        }
    }

    /// A date in full: `Nov 28, 2026` or `28/11/2026`.
    pub fn date(self, date: NaiveDate) -> String {
        match self {
            Locale::En => format!(
                "{} {}, {}",
                MONTHS[date.month0() as usize],
                date.day(),
                date.year()
            ),
            // Written out rather than with `format("%d/%m/%Y")`: chrono's strftime machinery
            // would otherwise be compiled into the browser's bundle for two patterns.
            Locale::PtBr => format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year()),
        }
    }

    /// A date without the year, for chart axes: `Nov 28` or `28/11`.
    pub fn short_date(self, date: NaiveDate) -> String {
        match self {
            Locale::En => format!("{} {}", MONTHS[date.month0() as usize], date.day()),
            Locale::PtBr => format!("{:02}/{:02}", date.day(), date.month()),
        }
    }

    /// A month for chart axes: `Nov` or `nov.`, with the year when `with_year`: `Nov 2026`.
    pub fn month(self, date: NaiveDate, with_year: bool) -> String {
        let name = match self {
            Locale::En => MONTHS[date.month0() as usize],
            Locale::PtBr => MESES[date.month0() as usize],
        };
        if with_year {
            format!("{name} {}", date.year())
        } else {
            name.to_string()
        }
    }

    /// A partial bucket's note: `partial: 3 of 7 days` / `parcial: 3 de 7 dias`.
    pub fn partial_days(self, days: i64, full: i64) -> String {
        match self {
            Locale::En => format!("partial: {days} of {full} days"),
            Locale::PtBr => format!("parcial: {days} de {full} dias"),
        }
    }

    /// The month under way's note: `month to date: 14 of 31 days`.
    pub fn month_to_date(self, days: i64, full: i64) -> String {
        match self {
            Locale::En => format!("month to date: {days} of {full} days"),
            Locale::PtBr => format!("mês até agora: {days} de {full} dias"),
        }
    }

    /// A drill-down of a user without spend in the range.
    pub fn no_dialout(self, user_id: &str, range: crate::model::DateRange) -> String {
        let (from, to) = (self.date(range.from), self.date(range.to));
        match self {
            Locale::En => format!("No dial-out by user {user_id} from {from} to {to}."),
            Locale::PtBr => format!("Nenhuma discagem do usuário {user_id} de {from} a {to}."),
        }
    }

    /// The requester's share of Graph's budget is spent for now.
    pub fn too_many_requests(self, seconds: u64) -> String {
        match self {
            Locale::En => format!(
                "You have asked for many new reports in a short time. Try again in {seconds} seconds."
            ),
            Locale::PtBr => format!(
                "Você pediu muitos relatórios novos em pouco tempo. Tente de novo em {seconds} segundos."
            ),
        }
    }

    /// `Nov 1, 2026 – Nov 28, 2026`.
    pub fn date_range(self, from: NaiveDate, to: NaiveDate) -> String {
        format!("{} – {}", self.date(from), self.date(to))
    }

    /// What the changes beside the figures compare with: the period before (`stored` when the
    /// kept history holds all of it) and, when stored, the same days a year earlier.
    #[cfg(feature = "ssr")]
    pub fn compared_with(
        self,
        before: crate::model::DateRange,
        stored: bool,
        year: Option<crate::model::DateRange>,
    ) -> String {
        let before = self.date_range(before.from, before.to);
        let year = year.map(|year| self.date_range(year.from, year.to));
        match (self, stored, year) {
            (Locale::En, false, _) => format!(
                "No earlier data to compare with: the portal does not hold all of the period before ({before})."
            ),
            (Locale::PtBr, false, _) => format!(
                "Sem dados anteriores para comparar: o portal não tem todo o período anterior ({before})."
            ),
            (Locale::En, true, None) => {
                format!("Changes compare with the period before: {before}.")
            }
            (Locale::PtBr, true, None) => {
                format!("As variações comparam com o período anterior: {before}.")
            }
            (Locale::En, true, Some(year)) => format!(
                "Changes compare with the period before: {before}; and with a year earlier: {year}."
            ),
            (Locale::PtBr, true, Some(year)) => format!(
                "As variações comparam com o período anterior: {before}; e com um ano antes: {year}."
            ),
        }
    }

    /// Whose spend a scoped page shows, and that its totals are theirs alone.
    #[cfg(feature = "ssr")]
    pub fn scope_note(self, people: &crate::report::scope::People) -> String {
        use crate::report::scope::Standing;
        let count = self.format_count(people.count() as u64);
        let on = people
            .read_at
            .map(|at| self.date(at.date_naive()))
            .unwrap_or_default();
        match (self, people.standing, people.count()) {
            (Locale::En, Standing::Listed, 0) => format!(
                "No one reports to you in the directory as it listed people on {on}, so no one's spend is shown here."
            ),
            (Locale::PtBr, Standing::Listed, 0) => format!(
                "Ninguém se reporta a você no diretório de {on}, por isso nenhum gasto é mostrado aqui."
            ),
            (Locale::En, Standing::Listed, 1) => format!(
                "Your reporting line: the spend of the one person who reports to you, as the directory listed people on {on}. Every total here is theirs, not the whole organisation's."
            ),
            (Locale::PtBr, Standing::Listed, 1) => format!(
                "Sua equipe: os gastos da única pessoa que se reporta a você, conforme o diretório de {on}. Todos os totais aqui são dela, não da organização inteira."
            ),
            (Locale::En, Standing::Listed, _) => format!(
                "Your reporting line: the spend of the {count} people who report to you, directly or indirectly, as the directory listed people on {on}. Every total here is theirs, not the whole organisation's."
            ),
            (Locale::PtBr, Standing::Listed, _) => format!(
                "Sua equipe: os gastos das {count} pessoas que se reportam a você, direta ou indiretamente, conforme o diretório de {on}. Todos os totais aqui são delas, não da organização inteira."
            ),
            (Locale::En, Standing::NotListed, _) => format!(
                "This portal shows each manager the spend of their own people, and the directory of {on} does not list you, so no one's spend is shown here. An administrator can check your account in Microsoft Entra ID."
            ),
            (Locale::PtBr, Standing::NotListed, _) => format!(
                "Este portal mostra a cada gestor os gastos das suas próprias pessoas, e o diretório de {on} não lista você, por isso nenhum gasto é mostrado aqui. Um administrador pode verificar sua conta no Microsoft Entra ID."
            ),
            (Locale::En, Standing::NoDirectory, _) => "This portal shows each manager the spend of their own people, and the directory that says who they are has not been read yet, so no one's spend is shown here.".to_string(),
            (Locale::PtBr, Standing::NoDirectory, _) => "Este portal mostra a cada gestor os gastos das suas próprias pessoas, e o diretório que diz quem são ainda não foi lido, por isso nenhum gasto é mostrado aqui.".to_string(),
        }
    }

    /// Where the organisation's groups come from, or why there are none.
    #[cfg(feature = "ssr")]
    pub fn directory_note(self, read_on: Option<NaiveDate>, error: Option<&str>) -> String {
        let failed = error.map(|error| match self {
            Locale::En => format!(" The last read of the directory failed: {error}"),
            Locale::PtBr => {
                format!(" A última leitura do diretório falhou (mensagem em inglês): {error}")
            }
        });
        let failed = failed.unwrap_or_default();
        match (self, read_on) {
            (Locale::En, Some(day)) => format!(
                "Groups as the directory (Microsoft Entra ID) listed people on {}: each person's spend counts where the directory places them now.{failed}",
                self.date(day)
            ),
            (Locale::PtBr, Some(day)) => format!(
                "Grupos conforme o diretório (Microsoft Entra ID) em {}: o gasto de cada pessoa conta onde o diretório a coloca agora.{failed}",
                self.date(day)
            ),
            (Locale::En, None) => format!(
                "The directory has not been read yet, so spend cannot be grouped by department or cost centre (the portal reads it with the application permission User.Read.All).{failed}"
            ),
            (Locale::PtBr, None) => format!(
                "O diretório ainda não foi lido, então os gastos não podem ser agrupados por departamento ou centro de custo (o portal o lê com a permissão de aplicativo User.Read.All).{failed}"
            ),
        }
    }

    /// The month under way's heading: `This month: Mar 2026`.
    #[cfg(feature = "ssr")]
    pub fn this_month(self, first: NaiveDate) -> String {
        let month = self.month(first, true);
        match self {
            Locale::En => format!("This month: {month}"),
            Locale::PtBr => format!("Este mês: {month}"),
        }
    }

    /// How the forecast is made, with its inputs.
    #[cfg(feature = "ssr")]
    pub fn forecast_method(self, outlook: &crate::report::outlook::MonthOutlook) -> String {
        let days = outlook.month.days();
        let settled = i64::from(outlook.settled_days);
        let others = days - settled;
        let growing = i64::from(outlook.elapsed_days) - settled;
        if settled == 0 {
            return match self {
                Locale::En => "No day of this month is settled yet (Graph publishes calls 24–48 hours late): the forecast starts once one is.".into(),
                Locale::PtBr => "Nenhum dia deste mês está fechado ainda (o Graph publica as chamadas com 24 a 48 horas de atraso): a previsão começa quando houver um.".into(),
            };
        }
        match self {
            Locale::En => format!(
                "Estimate: the spend of the month's {settled} settled days, plus their daily average for each of its {others} other days ({growing} of them past but still growing: Graph publishes calls 24–48 hours late), never less than what is already spent. {days} days in the month."
            ),
            Locale::PtBr => format!(
                "Estimativa: o gasto dos {settled} dias já fechados do mês, mais a sua média diária para cada um dos outros {others} dias ({growing} deles já passados mas ainda crescendo: o Graph publica as chamadas com 24 a 48 horas de atraso), nunca menos do que o já gasto. O mês tem {days} dias."
            ),
        }
    }

    /// Where a currency stands against its budget, in words.
    #[cfg(feature = "ssr")]
    pub fn budget_status(self, currency: &crate::report::outlook::CurrencyOutlook) -> String {
        use crate::money::format_money_in;
        use crate::report::outlook::BudgetStatus;
        let money = |amount| format_money_in(amount, &currency.currency, self);
        let (Some(budget), status) = (currency.budget, currency.status()) else {
            return self.t(Msg::NoBudget).into();
        };
        let forecast = currency.forecast.unwrap_or(currency.spent);
        match (self, status) {
            (_, BudgetStatus::NoBudget) => self.t(Msg::NoBudget).into(),
            (Locale::En, BudgetStatus::Over) => {
                format!(
                    "Over budget: {} spent beyond it already",
                    money(currency.spent - budget)
                )
            }
            (Locale::PtBr, BudgetStatus::Over) => {
                format!(
                    "Acima do orçamento: {} já gastos além dele",
                    money(currency.spent - budget)
                )
            }
            (Locale::En, BudgetStatus::ForecastOver) => {
                format!(
                    "Warning: the forecast exceeds the budget by {}",
                    money(forecast - budget)
                )
            }
            (Locale::PtBr, BudgetStatus::ForecastOver) => {
                format!(
                    "Atenção: a previsão passa do orçamento em {}",
                    money(forecast - budget)
                )
            }
            (Locale::En, BudgetStatus::Within) => {
                format!(
                    "Within budget: {} to spare at this pace",
                    money(budget - forecast)
                )
            }
            (Locale::PtBr, BudgetStatus::Within) => {
                format!(
                    "Dentro do orçamento: sobram {} neste ritmo",
                    money(budget - forecast)
                )
            }
        }
    }

    /// A user count: `1 user`, `12 users` / `1 usuário`, `12 usuários`.
    pub fn users_found(self, count: u64) -> String {
        let count_text = self.format_count(count);
        match (self, count) {
            (Locale::En, 1) => "1 user".into(),
            (Locale::En, _) => format!("{count_text} users"),
            (Locale::PtBr, 1) => "1 usuário".into(),
            (Locale::PtBr, _) => format!("{count_text} usuários"),
        }
    }

    pub fn page_of(self, page: u64, pages: u64) -> String {
        match self {
            Locale::En => format!("Page {page} of {pages}"),
            Locale::PtBr => format!("Página {page} de {pages}"),
        }
    }

    pub fn incomplete_rows(self, rows: u64) -> String {
        let rows = self.format_count(rows);
        match self {
            Locale::En => format!(
                "{rows} report rows from Graph lack a user, location, destination, currency or total: they appear as “(unknown)”, a missing total counts as zero, and the CSV download lists them as Graph sent them."
            ),
            Locale::PtBr => format!(
                "{rows} linhas do relatório do Graph não têm usuário, local, destino, moeda ou total: aparecem como “(unknown)”, um total ausente conta como zero e o CSV as lista como o Graph as enviou."
            ),
        }
    }

    /// Rows Graph repeated across its pages: kept once, so the totals are right; said so an
    /// administrator can tell Microsoft.
    pub fn repeated_rows(self, rows: u64) -> String {
        let rows = self.format_count(rows);
        match self {
            Locale::En => format!(
                "Graph sent {rows} report rows twice across the pages of a day (its order changed between pages): each was counted once, so the totals are right."
            ),
            Locale::PtBr => format!(
                "O Graph enviou {rows} linhas do relatório duas vezes entre as páginas de um dia (a ordem mudou entre as páginas): cada uma foi contada uma vez, então os totais estão certos."
            ),
        }
    }

    /// The days of the range not stored yet: the figures leave them out.
    pub fn missing_days(self, runs: &[crate::model::DateRange]) -> String {
        let days: i64 = runs.iter().map(crate::model::DateRange::days).sum();
        let count = self.format_count(u64::try_from(days).unwrap_or(0));
        let which = runs
            .iter()
            .map(|run| {
                if run.from == run.to {
                    self.date(run.from)
                } else {
                    self.date_range(run.from, run.to)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        match (self, days) {
            (Locale::En, 1) => format!(
                "Not complete: 1 day of this period is still loading from Microsoft Graph ({which}). The figures leave it out until it arrives; they load again by themselves then."
            ),
            (Locale::En, _) => format!(
                "Not complete: {count} days of this period are still loading from Microsoft Graph ({which}). The figures leave them out until they arrive; they load again by themselves then."
            ),
            (Locale::PtBr, 1) => format!(
                "Incompleto: 1 dia deste período ainda está sendo carregado do Microsoft Graph ({which}). Os números o deixam de fora até ele chegar; depois eles se atualizam sozinhos."
            ),
            (Locale::PtBr, _) => format!(
                "Incompleto: {count} dias deste período ainda estão sendo carregados do Microsoft Graph ({which}). Os números os deixam de fora até chegarem; depois eles se atualizam sozinhos."
            ),
        }
    }

    /// Progress of the days a range still lacks: `12 of 46 days loaded`.
    pub fn days_loaded(self, done: u64, total: u64) -> String {
        let (done, total) = (self.format_count(done), self.format_count(total));
        match self {
            Locale::En => format!(
                "Loading the missing days from Microsoft Graph: {done} of {total} days loaded"
            ),
            Locale::PtBr => format!(
                "Carregando os dias que faltam do Microsoft Graph: {done} de {total} dias carregados"
            ),
        }
    }

    /// How far the kept history reaches and what is still loading.
    #[cfg(feature = "ssr")]
    pub fn history(self, status: &crate::model::HistoryStatus) -> String {
        let mut parts = Vec::new();
        match (self, status.stored) {
            (Locale::En, Some(stored)) => parts.push(format!(
                "History kept from {} to {}",
                self.date(stored.from),
                self.date(stored.to)
            )),
            (Locale::PtBr, Some(stored)) => parts.push(format!(
                "Histórico guardado de {} a {}",
                self.date(stored.from),
                self.date(stored.to)
            )),
            (Locale::En, None) => parts.push("No history stored yet".into()),
            (Locale::PtBr, None) => parts.push("Nenhum histórico guardado ainda".into()),
        }
        if status.loading_days > 0 {
            let (stored, window) = (
                self.format_count(u64::from(status.stored_days)),
                self.format_count(u64::from(status.window_days)),
            );
            parts.push(match self {
                Locale::En => format!("loading from Graph, {stored} of {window} days"),
                Locale::PtBr => format!("carregando do Graph, {stored} de {window} dias"),
            });
        }
        if let Some(floor) = status.retention_floor {
            parts.push(match self {
                Locale::En => format!("Graph keeps nothing before {}", self.date(floor)),
                Locale::PtBr => format!("o Graph não guarda nada antes de {}", self.date(floor)),
            });
        }
        match (self, status.within_lag_days) {
            (_, 0) => {}
            (Locale::En, 1) => parts.push("1 day still within Graph's lag".into()),
            (Locale::En, days) => parts.push(format!("{days} days still within Graph's lag")),
            (Locale::PtBr, 1) => parts.push("1 dia ainda dentro do atraso do Graph".into()),
            (Locale::PtBr, days) => {
                parts.push(format!("{days} dias ainda dentro do atraso do Graph"))
            }
        }
        format!("{}.", parts.join("; "))
    }

    pub fn spend_in(self, currency: &str) -> String {
        match self {
            Locale::En => format!("Spend in {currency}"),
            Locale::PtBr => format!("Gastos em {currency}"),
        }
    }

    pub fn fetch_progress(self, pages: u64, rows: u64) -> String {
        let (pages, rows) = (self.format_count(pages), self.format_count(rows));
        match self {
            Locale::En => format!("Fetching from Microsoft Graph: {pages} pages, {rows} rows"),
            Locale::PtBr => format!("Buscando no Microsoft Graph: {pages} páginas, {rows} linhas"),
        }
    }

    /// Why a signed-in person sees nothing: `who` and `role` already escaped for HTML.
    #[cfg(feature = "ssr")]
    pub fn no_access_explanation(self, who: &str, role: &str) -> String {
        match self {
            Locale::En => format!(
                "You are signed in as {who}, but the portal shows dial-out spend only to people with the app role <strong>{role}</strong>. Ask your Microsoft Entra ID administrator to assign it to you (Enterprise applications → the portal's sign-in app → Users and groups)."
            ),
            Locale::PtBr => format!(
                "Você entrou como {who}, mas o portal mostra os gastos apenas a quem tem a função de aplicativo <strong>{role}</strong>. Peça ao administrador do Microsoft Entra ID que a atribua a você (Aplicativos empresariais → o aplicativo de entrada do portal → Usuários e grupos)."
            ),
        }
    }

    /// A destination as Graph names it (`Domestic`, `International`), translated.
    pub fn destination(self, key: &str) -> String {
        match key {
            "Domestic" => self.t(Msg::Domestic).into(),
            "International" => self.t(Msg::International).into(),
            other => other.into(),
        }
    }
}

/// `lang=` in a query string, or in the query of its `return_to` path.
fn lang_in_query(query: &str) -> Option<Locale> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(key, value)| match key.as_ref() {
        "lang" => Locale::parse(&value),
        "return_to" => value
            .split_once('?')
            .and_then(|(_, inner)| lang_in_query(inner)),
        _ => None,
    })
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MESES: [&str; 12] = [
    "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez.",
];

/// The locale of the page being rendered (from the context the app provides).
pub fn use_locale() -> Locale {
    leptos::prelude::use_context::<Locale>().unwrap_or_default()
}

macro_rules! messages {
    (
        page: { $($name:ident => $en:literal, $pt:literal;)* }
        // Only the server writes these (sign-in pages, downloads): they stay out of the WASM.
        server: { $($server_name:ident => $server_en:literal, $server_pt:literal;)* }
    ) => {
        /// Every fixed UI string; `Locale::t` gives its text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg {
            $($name,)*
            $(#[cfg(feature = "ssr")] $server_name,)*
        }

        impl Msg {
            fn texts(self) -> (&'static str, &'static str) {
                match self {
                    $(Msg::$name => ($en, $pt),)*
                    $(#[cfg(feature = "ssr")] Msg::$server_name => ($server_en, $server_pt),)*
                }
            }
        }
    };
}

messages! {
    page: {
    Title => "Dial-out spend", "Gastos com chamadas externas";
    SkipToContent => "Skip to content", "Pular para o conteúdo";
    Language => "Language", "Idioma";
    Period => "Period", "Período";
    QuickRanges => "Quick ranges", "Períodos rápidos";
    Last7Days => "Last 7 days", "Últimos 7 dias";
    Last28Days => "Last 28 days", "Últimos 28 dias";
    Last90Days => "Last 90 days", "Últimos 90 dias";
    LastCalendarMonth => "Last calendar month", "Último mês";
    Last12Months => "Last 12 months", "Últimos 12 meses";
    From => "From", "De";
    To => "To", "Até";
    Apply => "Apply", "Aplicar";
    Loading => "Loading the report…", "Carregando o relatório…";
    Empty => "No dial-out calls in this period.", "Nenhuma chamada externa neste período.";
    DataAsOf => "Data as of", "Dados de";
    DemoData => "Demo data:", "Dados de demonstração:";
    DemoNote => "these figures come from the built-in Graph simulator, not from your tenant. Configure your tenant's app credential to see real spend.",
        "estes números vêm do simulador do Graph embutido, não do seu locatário. Configure a credencial do aplicativo do seu locatário para ver os gastos reais.";
    LagNote => "Microsoft publishes dial-out records 24–48 hours after each call, so the last two days may still grow.",
        "A Microsoft publica os registros de 24 a 48 horas após cada chamada; os dois últimos dias ainda podem aumentar.";
    Refresh => "Refresh", "Atualizar";
    SignOut => "Sign out", "Sair";
    DownloadCsv => "Download CSV", "Baixar CSV";
    DownloadXlsx => "Download Excel", "Baixar Excel";
    AtAGlance => "Each currency at a glance", "Cada moeda num relance";
    GlanceOrder => "Most calls first.", "Mais chamadas primeiro.";
    ChangeBefore => "Change", "Variação";
    Trend => "Trend", "Tendência";
    OpenFullReport => "Open the full report", "Abrir o relatório completo";
    ChooseCurrency => "Choose a currency to see its charts, locations and top users.",
        "Escolha uma moeda para ver seus gráficos, locais e maiores usuários.";
    TotalCharge => "Total charge", "Custo total";
    Calls => "Calls", "Chamadas";
    Minutes => "Minutes", "Minutos";
    Users => "Users", "Usuários";
    CostPerMinute => "Cost per minute", "Custo por minuto";
    NoEarlierData => "No earlier data", "Sem dados anteriores";
    NoChange => "no change", "sem mudança";
    NewSpend => "new", "novo";
    Before => "before", "antes";
    AYearEarlier => "a year earlier", "há um ano";
    SpendOverTime => "Spend over time", "Gastos ao longo do tempo";
    Series => "Series", "Série";
    Cost => "Cost", "Custo";
    CallDuration => "Call duration", "Duração das chamadas";
    DomesticVsInternational => "Domestic vs international", "Nacional x internacional";
    Domestic => "Domestic", "Nacional";
    International => "International", "Internacional";
    ByLocation => "By usage location", "Por local de uso";
    LocationNote => "Graph's report gives each user's usage location (where they are licensed), not the country called.",
        "O relatório do Graph traz o local de uso de cada usuário (onde ele está licenciado), não o país chamado.";
    TopUsers => "Top 10 users", "10 maiores usuários";
    ShowTable => "Show as a table", "Mostrar como tabela";
    Destination => "Destination", "Destino";
    Location => "Usage location", "Local de uso";
    Name => "Name", "Nome";
    Upn => "UPN", "UPN";
    Currency => "Currency", "Moeda";
    Charge => "Charge", "Custo";
    Search => "Search name or UPN", "Buscar nome ou UPN";
    All => "All", "Todos";
    ApplyFilters => "Apply filters", "Aplicar filtros";
    Clear => "Clear", "Limpar";
    Previous => "Previous", "Anterior";
    Next => "Next", "Próxima";
    Pages => "Pages", "Páginas";
    NoUsers => "No user matches these filters.", "Nenhum usuário corresponde a estes filtros.";
    BackToDashboard => "Back to the dashboard", "Voltar ao painel";
    ShareOfTotal => "Share of the currency's total", "Participação no total da moeda";
    UserTrend => "Their spend over time", "Gastos do usuário ao longo do tempo";
    ErrorTitle => "The report could not be loaded", "Não foi possível carregar o relatório";
    RequestId => "Request ID", "ID da solicitação";
    ErrorCode => "Error code", "Código do erro";
    InvalidRange => "Check the period", "Verifique o período";
    NotFound => "Page not found.", "Página não encontrada.";
    ErrorDetails => "Details", "Detalhes";
    ErrorStillLoading => "These days are still loading from Microsoft Graph. Try again in a minute: the page shows them as soon as they are in.",
        "Estes dias ainda estão sendo carregados do Microsoft Graph. Tente de novo em um minuto: a página os mostra assim que chegarem.";
    ErrorServer => "Something went wrong on the server. An administrator can find the details below in the server's log.",
        "Algo deu errado no servidor. Um administrador encontra os detalhes abaixo no log do servidor.";
    ErrorStore => "The report's data store is unavailable. The portal tries again by itself: reload the page in a minute.",
        "O armazenamento de dados do relatório está indisponível. O portal tenta de novo sozinho: recarregue a página em um minuto.";
    ErrorTransport => "The portal could not be reached. Check the connection and reload the page.",
        "Não foi possível falar com o portal. Verifique a conexão e recarregue a página.";
    ErrorBadRequest => "The portal did not understand the request.", "O portal não entendeu a solicitação.";
    ErrorSignIn => "Your session has ended. Reload the page to sign in again.",
        "Sua sessão terminou. Recarregue a página para entrar novamente.";
    ErrorForbidden => "You do not have access to this report.", "Você não tem acesso a este relatório.";
    Unnamed => "(no name)", "(sem nome)";
    RangeMissing => "Enter both a start and an end date.", "Informe as datas de início e de fim.";
    RangeUnreadable => "Dates must be written as YYYY-MM-DD.", "As datas devem estar no formato AAAA-MM-DD.";
    RangeReversed => "The start date is after the end date.", "A data de início é posterior à data de fim.";
    RangeFuture => "The period ends after today: there is no data for future days.",
        "O período termina depois de hoje: não há dados para dias futuros.";
    Organisation => "Organisation", "Organização";
    RangeTooLong => "The period is longer than the 731 days allowed.", "O período passa dos 731 dias permitidos.";
    }
    server: {
    ChangesStillGrowing => " Some of the period's days may still grow, and its changes with them.",
        " Alguns dias do período ainda podem crescer, e as variações com eles.";
        ByOrganisation => "Spend by organisation", "Gastos por organização";
        OrgDepartment => "Department", "Departamento";
        OrgCostCenter => "Cost centre", "Centro de custo";
        OrgDivision => "Division", "Divisão";
        OrgCompany => "Company", "Empresa";
        OrgOffice => "Office", "Escritório";
        People => "People", "Pessoas";
        ShareOfCharge => "Share of the charge", "Parte do custo";
        OrgUnassigned => "(none in the directory)", "(nenhum no diretório)";
        NotInDirectory => "Not in the directory (deleted accounts, guests)",
            "Fora do diretório (contas excluídas, convidados)";
        DirectoryColumn => "Directory", "Diretório";
        ListedInDirectory => "listed", "listado";
        NotListedInDirectory => "not in the directory", "fora do diretório";
        Chargeback => "Chargeback files (CSV: this period, one row per group and currency):",
            "Arquivos de rateio (CSV: este período, uma linha por grupo e moeda):";
        SpentSoFar => "Spent so far", "Gasto até agora";
        ForecastEstimate => "Forecast (estimate)", "Previsão (estimativa)";
        Budget => "Budget", "Orçamento";
        BudgetStatusHeader => "Against the budget", "Frente ao orçamento";
        NoBudget => "No budget set", "Sem orçamento definido";
        SignInTitle => "Sign in to see dial-out spend",
            "Entre para ver os gastos com chamadas externas";
        PopupNote => "Microsoft's sign-in page cannot open inside another page, so it opens in a new window.",
            "A página de entrada da Microsoft não abre dentro de outra página, por isso ela abre numa nova janela.";
        SignIn => "Sign in",
            "Entrar";
        PopupBlocked => "The sign-in window was blocked. Allow pop-ups for this site, or open the portal in its own tab.",
            "A janela de entrada foi bloqueada. Permita pop-ups para este site ou abra o portal numa aba própria.";
        SignInFailed => "The sign-in did not complete",
            "A entrada não foi concluída";
        TryAgain => "Try again",
            "Tentar novamente";
        NoAccess => "You don't have access to dial-out spend",
            "Você não tem acesso aos gastos com chamadas externas";
        SignInAsOther => "Sign in as someone else",
            "Entrar com outra conta";
        SignedOut => "You have signed out",
            "Você saiu";
        SignInAgain => "Sign in again",
            "Entrar novamente";
        SignedInClose => "You are signed in. You can close this window.",
            "Você entrou. Pode fechar esta janela.";
        ProxyTitle => "Sign-in required",
            "É preciso entrar";
        ProxyNote => "Reach this portal through your organisation's sign-in proxy.",
            "Acesse este portal pelo proxy de autenticação da sua organização.";
        WorkbookTitle => "Teams dial-out spend", "Gastos com discagem do Teams";
        AboutSheet => "About", "Sobre";
        RowsSheet => "Dial-out", "Discagem";
        TotalsSheet => "Totals", "Totais";
        UserId => "User ID", "ID do usuário";
        Seconds => "Seconds", "Segundos";
        ReportRows => "Report rows", "Linhas do relatório";
        CurrencyRule => "Amounts in different currencies are never added together: each currency has its own totals.",
            "Valores em moedas diferentes nunca são somados: cada moeda tem seus próprios totais.";
        MinutesRule => "Seconds rounded up to whole minutes, per row and per total, as the page counts them: a total can have fewer minutes than its rows add up to.",
            "Segundos arredondados para cima em minutos inteiros, por linha e por total, como a página os conta: um total pode ter menos minutos do que a soma das suas linhas.";
        ChargeRule => "Charges are exact to the last digit in the CSV download; this workbook holds them as spreadsheet numbers (about 15 significant digits), each formatted in its currency.",
            "Os custos são exatos até o último dígito no download CSV; esta planilha os guarda como números de planilha (cerca de 15 dígitos significativos), cada um formatado na sua moeda.";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_counts_per_language() {
        assert_eq!(Locale::En.format_count(0), "0");
        assert_eq!(Locale::En.format_count(999), "999");
        assert_eq!(Locale::En.format_count(1000), "1,000");
        assert_eq!(Locale::En.format_count(1234567), "1,234,567");
        assert_eq!(Locale::PtBr.format_count(1234), "1.234");
    }

    #[test]
    fn negotiates_accept_language() {
        let accepted = |header| Locale::negotiate(None, Some(header));
        assert_eq!(accepted("pt-BR,pt;q=0.9,en;q=0.8"), Locale::PtBr);
        assert_eq!(accepted("fr-FR, en;q=0.5, pt;q=0.4"), Locale::En);
        assert_eq!(accepted("en;q=0.2, pt-PT;q=0.9"), Locale::PtBr);
        assert_eq!(accepted("de"), Locale::En);
        assert_eq!(accepted(""), Locale::En);
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }

    #[test]
    fn the_url_comes_before_the_browser() {
        let pt = Some("pt-BR");
        assert_eq!(Locale::negotiate(Some("embed=1&lang=en"), pt), Locale::En);
        assert_eq!(
            Locale::negotiate(
                Some("return_to=%2F%3Ffrom%3D2026-01-01%26lang%3Dpt-BR"),
                None
            ),
            Locale::PtBr
        );
        assert_eq!(Locale::negotiate(Some("return_to=%2F"), pt), Locale::PtBr);
        assert_eq!(Locale::negotiate(Some("lang=fr"), None), Locale::En);
        assert_eq!(Locale::negotiate(Some(""), None), Locale::En);
    }

    #[test]
    fn formats_dates_per_locale() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(Locale::En.date(day), "Nov 3, 2026");
        assert_eq!(Locale::PtBr.date(day), "03/11/2026");
        assert_eq!(Locale::PtBr.short_date(day), "03/11");
        assert_eq!(Locale::En.month(day, false), "Nov");
        assert_eq!(Locale::PtBr.month(day, true), "nov. 2026");
        assert_eq!(Locale::PtBr.partial_days(1, 7), "parcial: 1 de 7 dias");
        assert_eq!(
            Locale::PtBr.month_to_date(14, 31),
            "mês até agora: 14 de 31 dias"
        );
    }
}
