use chrono::TimeZone;
use serde_json::{json, Value};

use super::*;

fn context() -> Value {
    json!({
        "trigger": {"call": {"From": "+15005550006", "To": "+15551230001", "CallSid": "CA1"}},
        "widgets": {
            "menu": {"Digits": "2", "SpeechResult": "  sales please "},
            "http": {"body": "{\"n\":3}", "parsed": {"name": "ada", "items": [1, 2, 3], "n": 3}}
        },
        "flow": {"variables": {"count": 4, "vip": true, "empty": ""}, "channel": {"address": "+15551230001"}}
    })
}

fn env() -> RenderEnv {
    RenderEnv {
        // 2024-03-05 17:30:00 UTC is 09:30 in Los Angeles (PST).
        now: chrono::Utc.with_ymd_and_hms(2024, 3, 5, 17, 30, 0).unwrap(),
    }
}

fn render(source: &str) -> String {
    Template::parse(source)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
        .render(&context(), &env())
}

fn parse_error(source: &str) -> String {
    Template::parse(source).expect_err(source).to_string()
}

#[test]
fn variables_of_the_studio_context() {
    assert_eq!(render("Hi {{trigger.call.From}}"), "Hi +15005550006");
    assert_eq!(
        render("{{ trigger.call.To }}/{{trigger.call.CallSid}}"),
        "+15551230001/CA1"
    );
    assert_eq!(render("{{widgets.menu.Digits}}"), "2");
    assert_eq!(render("{{widgets.http.body}}"), "{\"n\":3}");
    assert_eq!(render("{{widgets.http.parsed.name}}"), "ada");
    assert_eq!(render("{{widgets.http.parsed.items[1]}}"), "2");
    assert_eq!(render("{{widgets.http.parsed.items[-1]}}"), "3");
    assert_eq!(render("{{widgets.http.parsed['name']}}"), "ada");
    assert_eq!(render("{{widgets.http.parsed.items.size}}"), "3");
    assert_eq!(render("{{flow.variables.count}}"), "4");
    assert_eq!(render("{{flow.channel.address}}"), "+15551230001");
}

#[test]
fn unknown_variables_render_empty() {
    assert_eq!(render("[{{widgets.nope.Digits}}]"), "[]");
    assert_eq!(render("[{{trigger.call.From.x.y}}]"), "[]");
    assert_eq!(render("[{{nothing}}]"), "[]");
}

#[test]
fn text_filters() {
    assert_eq!(render("{{ 'hello world' | upcase }}"), "HELLO WORLD");
    assert_eq!(render("{{ 'HeLLo' | downcase }}"), "hello");
    assert_eq!(
        render("{{ 'my GREAT title' | capitalize }}"),
        "My great title"
    );
    assert_eq!(
        render("[{{ widgets.menu.SpeechResult | strip }}]"),
        "[sales please]"
    );
    assert_eq!(
        render("[{{ widgets.menu.SpeechResult | lstrip }}]"),
        "[sales please ]"
    );
    assert_eq!(render("{{ 'a-b-c' | replace: '-', '+' }}"), "a+b+c");
    assert_eq!(render("{{ 'a-b-c' | replace_first: '-', '+' }}"), "a+b-c");
    assert_eq!(render("{{ 'a-b-c' | remove: '-' }}"), "abc");
    assert_eq!(render("{{ 'b' | append: 'c' | prepend: 'a' }}"), "abc");
    assert_eq!(render("{{ 'abcdefgh' | truncate: 5 }}"), "ab...");
    assert_eq!(render("{{ 'a b&c' | url_encode }}"), "a+b%26c");
}

#[test]
fn collection_filters() {
    assert_eq!(render("{{ 'hello' | size }}"), "5");
    assert_eq!(render("{{ widgets.http.parsed.items | size }}"), "3");
    assert_eq!(
        render("{{ 'a,b,c' | split: ',' | join: ' and ' }}"),
        "a and b and c"
    );
    assert_eq!(render("{{ 'a,b,c' | split: ',' | last }}"), "c");
    assert_eq!(render("{{ 'a,b,c' | split: ',' | first }}"), "a");
    assert_eq!(render("{{ widgets.http.parsed.items | join }}"), "1 2 3");
    assert_eq!(render("{{ 'liquid' | slice: 2 }}"), "q");
    assert_eq!(render("{{ 'liquid' | slice: 2, 3 }}"), "qui");
    assert_eq!(render("{{ 'liquid' | slice: -3, 2 }}"), "ui");
    assert_eq!(
        render("{{ widgets.http.parsed.items | slice: 1, 5 | join: ',' }}"),
        "2,3"
    );
    assert_eq!(render("{{ widgets.nope | default: 'none' }}"), "none");
    assert_eq!(
        render("{{ flow.variables.empty | default: 'none' }}"),
        "none"
    );
    assert_eq!(render("{{ widgets.menu.Digits | default: 'none' }}"), "2");
}

#[test]
fn number_filters() {
    assert_eq!(render("{{ flow.variables.count | plus: 1 }}"), "5");
    assert_eq!(render("{{ '41' | plus: 1 }}"), "42");
    assert_eq!(render("{{ 10 | minus: 2.5 }}"), "7.5");
    assert_eq!(render("{{ 3 | times: 4 }}"), "12");
    assert_eq!(render("{{ 7 | divided_by: 2 }}"), "3");
    assert_eq!(render("{{ 7 | divided_by: 2.0 }}"), "3.5");
    assert_eq!(render("[{{ 7 | divided_by: 0 }}]"), "[]");
    assert_eq!(render("{{ 7 | modulo: 3 }}"), "1");
    assert_eq!(render("{{ -7 | abs }}"), "7");
    assert_eq!(
        render("{{ 1.2 | ceil }}/{{ 1.8 | floor }}/{{ 1.55 | round: 1 }}"),
        "2/1/1.6"
    );
}

#[test]
fn date_filter_uses_the_emulated_clock_in_pacific_time() {
    assert_eq!(
        render("{{ 'now' | date: '%Y-%m-%d %H:%M' }}"),
        "2024-03-05 09:30"
    );
    assert_eq!(render("{{ '2024-12-25' | date: '%A' }}"), "Wednesday");
    assert_eq!(render("{{ '2024-12-25T10:00:00Z' | date: '%H' }}"), "10");
    assert_eq!(render("{{ 'not a date' | date: '%Y' }}"), "not a date");
}

#[test]
fn if_elsif_else_and_unless() {
    let menu = "{% if widgets.menu.Digits == '1' %}sales{% elsif widgets.menu.Digits == '2' %}support{% else %}other{% endif %}";
    assert_eq!(render(menu), "support");
    assert_eq!(render("{% if flow.variables.vip %}VIP{% endif %}"), "VIP");
    assert_eq!(
        render("{% if flow.variables.nope %}x{% else %}y{% endif %}"),
        "y"
    );
    assert_eq!(
        render("{% unless flow.variables.vip %}x{% else %}y{% endunless %}"),
        "y"
    );
    assert_eq!(
        render("{% if flow.variables.count > 3 and flow.variables.vip %}big{% endif %}"),
        "big"
    );
    assert_eq!(
        render("{% if flow.variables.count < 3 or flow.variables.vip %}or{% endif %}"),
        "or"
    );
    assert_eq!(
        render("{% if widgets.menu.SpeechResult contains 'sales' %}yes{% endif %}"),
        "yes"
    );
    assert_eq!(
        render("{% if flow.variables.empty == empty %}e{% endif %}"),
        "e"
    );
    assert_eq!(render("{% if widgets.nope == blank %}b{% endif %}"), "b");
    assert_eq!(
        render("{% if flow.variables.count != 4 %}x{% else %}4{% endif %}"),
        "4"
    );
    // An empty string is true in Liquid.
    assert_eq!(render("{% if flow.variables.empty %}t{% endif %}"), "t");
}

#[test]
fn comments_raw_and_whitespace_control() {
    assert_eq!(render("a{% comment %}{{ hidden }}{% endcomment %}b"), "ab");
    assert_eq!(render("{% raw %}{{ kept }}{% endraw %}"), "{{ kept }}");
    assert_eq!(render("a  {{- 'b' -}}  c"), "abc");
    assert_eq!(render("x {%- if true -%} y {%- endif -%} z"), "xyz");
}

#[test]
fn text_without_tags_is_constant_and_json_braces_are_text() {
    let body = Template::parse(r#"{"a": {"b": 1}}"#).unwrap();
    assert_eq!(body.constant().as_deref(), Some(r#"{"a": {"b": 1}}"#));
    assert_eq!(Template::parse("{{x}}").unwrap().constant(), None);
    assert_eq!(
        render(r#"{"from": "{{trigger.call.From}}"}"#),
        r#"{"from": "+15005550006"}"#
    );
}

#[test]
fn syntax_errors_are_found_when_parsed() {
    assert!(parse_error("Hello {{trigger.call.From").contains("never closed"));
    assert!(parse_error("{% if x %}open").contains("without `{% endif %}`"));
    assert!(parse_error("{{ x | upcasee }}").contains("unknown filter `upcasee`"));
    assert!(parse_error("{{ x | replace: 'a' }}").contains("takes 2 argument(s)"));
    assert!(parse_error("{% for x in y %}{% endfor %}").contains("unsupported tag `for`"));
    assert!(parse_error("{% endif %}").contains("without an opening tag"));
    assert!(parse_error("{{ 'open }}").contains("never closed"));
    assert!(parse_error("{{ }}").contains("has no value"));
    assert!(parse_error("{{ 'now' | date: '%Q%' }}").contains("not a date format"));
}
