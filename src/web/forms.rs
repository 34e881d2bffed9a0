//! Form components: labelled fields with their error messages, the CSRF field, and the
//! `FormErrors` value that validation returns (a 422 re-render, never a 500).

use maud::{html, Markup};

use super::context::CSRF_FIELD;
use super::picker::Choices;
use super::Ctx;

/// Validation messages by field, as translation keys (with the values some messages name).
/// Empty means the input is valid.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(&'static str, &'static str)>, Vec<Args>);

/// The values a message names, such as the time a room is booked, for one error.
type Args = (&'static str, Vec<(&'static str, String)>);

impl FormErrors {
    /// No errors yet.
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    /// Records that `field` is invalid, with the translation key of the message.
    pub fn add(&mut self, field: &'static str, message_key: &'static str) {
        self.0.push((field, message_key));
    }

    /// Records that `field` is invalid with a message that names values (`{name}` in it),
    /// already written in the reader's language.
    pub fn add_with(
        &mut self,
        field: &'static str,
        message_key: &'static str,
        args: Vec<(&'static str, String)>,
    ) {
        self.0.push((field, message_key));
        self.1.push((field, args));
    }

    /// The message for a field in the reader's language, with its values.
    pub fn message(&self, ctx: &Ctx, field: &str) -> Option<String> {
        let key = self.get(field)?;
        Some(self.text(ctx, field, key))
    }

    fn text(&self, ctx: &Ctx, field: &str, key: &str) -> String {
        match self.1.iter().find(|(f, _)| *f == field) {
            Some((_, args)) => {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                ctx.lang.tf(key, &args)
            }
            None => ctx.t(key).to_string(),
        }
    }

    /// Records the error if `condition` holds.
    pub fn check(&mut self, condition: bool, field: &'static str, message_key: &'static str) {
        if condition {
            self.add(field, message_key);
        }
    }

    /// Whether there is no error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message key for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| *m)
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf); }
}

/// A small form with one button (delete, hide, restore...): THE one every module uses.
pub fn post_button(ctx: &Ctx, action: &str, label: &str, class: Option<&str>) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button type="submit" class=[class] { (label) }
        }
    }
}

/// A summary of the errors at the top of a form, announced to screen readers; its small script
/// moves the focus to it.
pub fn error_summary(ctx: &Ctx, errors: &FormErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                p { strong { (ctx.t("form.has_errors")) } }
                ul {
                    @for (field, key) in &errors.0 {
                        li { a href={ "#f-" (field) } { (errors.text(ctx, field, key)) } }
                    }
                }
            }
            script src=(super::assets::url("js/form-errors.js")) defer {}
        }
    }
}

/// What a text-like input needs.
pub struct Field<'a> {
    pub name: &'static str,
    pub label_key: &'static str,
    pub value: &'a str,
    pub kind: &'static str,
    pub required: bool,
    pub hint_key: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    /// Ids of the latitude and longitude inputs an address field fills (see [`Field::address`]).
    pub fills: Option<(&'static str, &'static str)>,
    /// The pages one may pick, suggested as one types (see [`super::picker`]).
    pub choices: Option<&'a Choices>,
}

impl<'a> Field<'a> {
    /// A required text input.
    pub fn text(name: &'static str, label_key: &'static str, value: &'a str) -> Field<'a> {
        Field {
            name,
            label_key,
            value,
            kind: "text",
            required: true,
            hint_key: None,
            autocomplete: None,
            fills: None,
            choices: None,
        }
    }

    /// Changes the input type (email, password, number..., or "decimal": a text input with
    /// the decimal keyboard, for coordinates typed with a comma).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    /// Makes the field optional.
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// Adds a hint under the label.
    pub fn hint(mut self, key: &'static str) -> Self {
        self.hint_key = Some(key);
        self
    }

    /// Sets the autocomplete attribute (helps password managers and phones).
    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    /// Makes it an address field: with JavaScript, it suggests the imported addresses
    /// (`assets/js/address-autocomplete.js`) and a chosen one fills the inputs whose ids are
    /// `lat_input` and `lon_input`. (maud has no attribute names chosen at run time, hence the
    /// data attributes of this one use rather than a general `data-*` builder.)
    pub fn address(mut self, lat_input: &'static str, lon_input: &'static str) -> Self {
        self.fills = Some((lat_input, lon_input));
        self
    }

    /// Makes it a choice among pages: their names are suggested as one types, and a stored
    /// identifier is shown by its page's name.
    pub fn choices(mut self, choices: &'a Choices) -> Self {
        self.choices = Some(choices);
        self
    }

    /// Renders label, hint, input and error message, linked for screen readers.
    pub fn render(&self, ctx: &Ctx, errors: &FormErrors) -> Markup {
        let id = format!("f-{}", self.name);
        let error = errors.message(ctx, self.name);
        let described = match (self.hint_key.is_some(), error.is_some()) {
            (true, true) => Some(format!("{id}-hint {id}-error")),
            (true, false) => Some(format!("{id}-hint")),
            (false, true) => Some(format!("{id}-error")),
            (false, false) => None,
        };
        // Never send a password back to the browser.
        let value = if self.kind == "password" {
            ""
        } else if let Some(c) = self.choices {
            c.shown(self.value)
        } else {
            self.value
        };
        let list = self.choices.map(|_| format!("{id}-choices"));
        html! {
            div.field.invalid[error.is_some()] {
                label for=(id) { (ctx.t(self.label_key)) @if !self.required { " " span.optional { (ctx.t("form.optional")) } } }
                @if let Some(h) = self.hint_key { p.hint id={ (id) "-hint" } { (ctx.t(h)) } }
                @if let Some(e) = &error { p.error id={ (id) "-error" } { (e) } }
                @if self.kind == "textarea" {
                    textarea id=(id) name=(self.name) rows="4" required[self.required]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] { (value) }
                } @else {
                    // "decimal": a text input with the decimal keyboard, so that « 47,3512 » is
                    // sent as typed (a number input may drop the comma) and read by `number`.
                    input id=(id) name=(self.name)
                        type=(if self.kind == "decimal" { "text" } else { self.kind })
                        inputmode=[(self.kind == "decimal").then_some("decimal")]
                        value=(value) required[self.required]
                        step=[(self.kind == "number").then_some("any")]
                        autocomplete=[self.autocomplete]
                        data-address[self.fills.is_some()]
                        data-lat-input=[self.fills.map(|f| f.0)] data-lon-input=[self.fills.map(|f| f.1)]
                        list=[list.as_deref()]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
                    @if let (Some(c), Some(list)) = (self.choices, &list) {
                        datalist id=(list) { @for l in c.labels() { option value=(l) {} } }
                    }
                }
            }
        }
    }
}

/// A select box; `options` are (value, translated label).
pub fn select(
    ctx: &Ctx,
    name: &'static str,
    label_key: &'static str,
    options: &[(&str, String)],
    selected: &str,
) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field {
            label for=(id) { (ctx.t(label_key)) }
            select id=(id) name=(name) {
                @for (value, label) in options {
                    option value=(value) selected[*value == selected] { (label) }
                }
            }
        }
    }
}

/// A form whose fields may repeat (boxes ticked under one name): the values of a repeated
/// field joined by commas, then read as `T` (whose fields are strings, with defaults).
pub fn joined<T: serde::de::DeserializeOwned + Default>(pairs: Vec<(String, String)>) -> T {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        match map.get_mut(&k) {
            Some(serde_json::Value::String(s)) => {
                s.push(',');
                s.push_str(&v);
            }
            _ => {
                map.insert(k, serde_json::Value::String(v));
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_default()
}

/// Boxes to tick among pages (`name` repeated once per ticked page, read by [`joined`]); a
/// fieldset whose legend is the label, scrolled when long. `ticked` holds slugs separated by
/// commas, as the form keeps them.
pub fn page_boxes(
    ctx: &Ctx,
    name: &'static str,
    label_key: &'static str,
    hint_key: &'static str,
    pages: &[(String, String)],
    ticked: &str,
    errors: &FormErrors,
) -> Markup {
    let ticked: Vec<&str> = ticked.split(',').map(str::trim).collect();
    let error = errors.message(ctx, name);
    let id = format!("f-{name}");
    html! {
        fieldset.boxes.invalid[error.is_some()] id=(id) aria-describedby={ (id) "-hint" } {
            legend { (ctx.t(label_key)) }
            p.hint id={ (id) "-hint" } { (ctx.t(hint_key)) }
            @if let Some(e) = &error { p.error id={ (id) "-error" } { (e) } }
            div.box-list {
                @for (i, (slug, label)) in pages.iter().enumerate() {
                    div.check {
                        input id={ (id) "-" (i) } type="checkbox" name=(name) value=(slug)
                            checked[ticked.contains(&slug.as_str())];
                        label for={ (id) "-" (i) } { (label) }
                    }
                }
            }
        }
    }
}

/// A decimal number written with a dot or a French comma; `None` when it is not a finite number.
pub fn number(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Optional `lat` / `lon` fields: empty is no location; typed but not a valid coordinate is an
/// error on that field (the form keeps what was typed).
pub fn optional_point(e: &mut FormErrors, lat: &str, lon: &str) -> (Option<f64>, Option<f64>) {
    let (lat_t, lon_t) = (lat.trim(), lon.trim());
    let lat = number(lat_t).filter(|v| (-90.0..=90.0).contains(v));
    let lon = number(lon_t).filter(|v| (-180.0..=180.0).contains(v));
    e.check(
        !lat_t.is_empty() && lat.is_none(),
        "lat",
        "settings.lat_invalid",
    );
    e.check(
        !lon_t.is_empty() && lon.is_none(),
        "lon",
        "settings.lon_invalid",
    );
    (lat, lon)
}
