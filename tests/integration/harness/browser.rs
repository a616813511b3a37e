//! Headless Chromium (Debian's `chromium`) looking at a page as a person would: the DOM after
//! its scripts ran (`--dump-dom`), and screenshots. Each run gets a new profile folder and is
//! killed after [`LIMIT`]. Without chromium a test skips (saying so), unless
//! `IVR_TEST_REQUIRE_CHROMIUM=1` (CI) makes that a failure.
//!
//! [`probe_page`] builds the page that measures: it frames the page under test (same origin,
//! served by [`super::static_site`]) at given widths, runs a test's checks on the framed
//! document and writes what it found as JSON into its own DOM, which `--dump-dom` prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The browser.
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one chromium run may take before it is killed.
const LIMIT: Duration = Duration::from_secs(90);

/// Whether chromium runs here; see the module doc.
pub fn chromium_present() -> bool {
    let present = Command::new(CHROMIUM)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        assert!(
            std::env::var("IVR_TEST_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "IVR_TEST_REQUIRE_CHROMIUM=1 but {CHROMIUM} does not run"
        );
        eprintln!("skipped: {CHROMIUM} is absent (set IVR_TEST_REQUIRE_CHROMIUM=1 to require it)");
    }
    present
}

/// Runs chromium headless with `args` and the page `url`, returns its standard output.
fn chromium(scratch: &Path, args: &[String], url: &str) -> String {
    let profile = tempfile::tempdir_in(scratch).expect("profile dir");
    let stdout_path = profile.path().join("chromium.out");
    let stdout = std::fs::File::create(&stdout_path).expect("stdout file");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took longer than {LIMIT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(&stdout_path).expect("chromium output")
}

/// The DOM of `url` after its scripts ran for `budget_ms` of virtual time.
pub fn dump_dom(scratch: &Path, url: &str, budget_ms: u64) -> String {
    chromium(
        scratch,
        &[
            format!("--virtual-time-budget={budget_ms}"),
            "--window-size=1400,1000".into(),
            "--dump-dom".into(),
        ],
        url,
    )
}

/// A screenshot of `url` at `width` x `height` CSS pixels, saved as `file` (PNG).
pub fn screenshot(scratch: &Path, url: &str, width: u32, height: u32, file: &Path) -> PathBuf {
    chromium(
        scratch,
        &[
            "--virtual-time-budget=2000".into(),
            format!("--window-size={width},{height}"),
            format!("--screenshot={}", file.display()),
        ],
        url,
    );
    let bytes = std::fs::read(file).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    file.to_path_buf()
}

/// The probe page: frames `target` at each width of `widths` (iframes `frame0`, `frame1`...),
/// then runs `checks`, the body of `async function (frames, helpers)` returning a JSON-able
/// value. `helpers` offers `visible(el)`, `text(el)`, `contrast(el)` (text against the
/// background it sits on, WCAG ratio), `key(el, key)` (a keydown), `settle()` (a tick).
pub fn probe_page(target: &str, widths: &[u32], checks: &str) -> String {
    let frames: String = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "<iframe id=\"frame{i}\" src=\"{target}\" width=\"{w}\" height=\"900\" \
                 style=\"border:0\"></iframe>"
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{frames}
<pre id="findings">pending</pre>
<script>
function rgb(s) {{ var m = s.match(/[\d.]+/g) || []; return m.map(Number); }}
function lum(c) {{ var a = c.slice(0, 3).map(function (v) {{ v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }});
  return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }}
var helpers = {{
  visible: function (el) {{ if (!el) return false; var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.ownerDocument.defaultView.getComputedStyle(el).visibility !== "hidden"; }},
  text: function (el) {{ return el ? el.innerText : null; }},
  contrast: function (el) {{ var win = el.ownerDocument.defaultView; var fg = rgb(win.getComputedStyle(el).color);
    var bg = null; for (var n = el; n && n.nodeType === 1; n = n.parentElement) {{
      var c = rgb(win.getComputedStyle(n).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) {{ bg = c; break; }} }}
    bg = bg || [255, 255, 255]; var a = lum(fg), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }},
  key: function (el, key) {{ el.focus(); el.dispatchEvent(new KeyboardEvent("keydown", {{ key: key, bubbles: true, cancelable: true }})); }},
  settle: function () {{ return new Promise(function (r) {{ setTimeout(r, 50); }}); }}
}};
function loaded(frame) {{ return new Promise(function (resolve) {{
  if (frame.contentDocument && frame.contentDocument.readyState === "complete" && frame.contentDocument.body
      && frame.contentDocument.body.children.length) {{ resolve(); }} else {{ frame.addEventListener("load", function () {{ resolve(); }}); }} }}); }}
var frames = Array.prototype.slice.call(document.querySelectorAll("iframe"));
Promise.all(frames.map(loaded)).then(function () {{
  return (async function (frames, helpers) {{ {checks} }})(frames.map(function (f) {{ return f.contentDocument; }}), helpers);
}}).then(function (found) {{
  document.getElementById("findings").textContent = JSON.stringify(found).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}}, function (e) {{ document.getElementById("findings").textContent = JSON.stringify({{ probe_error: String(e && e.stack || e) }}); }});
</script></body></html>"#
    )
}

/// What the probe found, from a `--dump-dom` of the probe page.
pub fn findings(dom: &str) -> Value {
    let start = dom.find("<pre id=\"findings\">").expect("findings element") + 19;
    let end = dom[start..].find("</pre>").expect("findings end") + start;
    let text = &dom[start..end];
    let found: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("probe did not finish ({e}): {text}"));
    assert!(found.get("probe_error").is_none(), "probe failed: {found}");
    found
}
