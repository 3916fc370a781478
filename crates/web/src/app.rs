//! The app: one yew function component tree over one `Playground`, with a
//! reducer-style UI state. The playground lives in a thread-local (the
//! browser runs one thread); UI actions call into it and then refresh the
//! state from it. xterm.js and Monaco are reached through `js`.

use crate::diagram::{Diagram, ObjectRef};
use crate::i18n::{Lang, T, t};
use crate::js;
use playground::Playground;
use playground::locate::{self, Marker};
use playground::view::{self, ClusterView, Pulse};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

const STORAGE_SESSION: &str = "kubeplay.session";
const STORAGE_LANG: &str = "kubeplay.lang";
const STORAGE_THEME: &str = "kubeplay.theme";
/// How long a pulse stays on the diagram (real ms).
/// How long one hop of a pulse travels; a path's later hops start later.
const HOP_MS: f64 = 600.0;
/// Most pulses drawn at once.
const MAX_PULSES: usize = 60;
/// Shortest real time between two rebuilds of the diagram's view (ms).
const VIEW_MS: f64 = 100.0;
/// Shortest real time between two refreshes of the object panel (ms).
const PANEL_MS: f64 = 500.0;
/// Events shown in the events pane.
const EVENTS_SHOWN: usize = 40;
/// How often the session is saved to localStorage (real ms).
const AUTOSAVE_MS: f64 = 1_000.0;
const STARTER_FILE: &str = "/root/deployment.yaml";
const STARTER_YAML: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n";

thread_local! {
    static PG: RefCell<Option<Playground>> = const { RefCell::new(None) };
    /// Editor text not yet saved into the shell's filesystem, by path.
    static BUFFERS: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
    static FRAME: RefCell<Option<gloo::render::AnimationFrame>> = const { RefCell::new(None) };
}

fn with_pg<R>(f: impl FnOnce(&mut Playground) -> R) -> R {
    PG.with(|p| f(p.borrow_mut().as_mut().expect("the playground starts before the UI runs")))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn query(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelTab {
    Describe,
    Yaml,
    Events,
    Scheduling,
}

/// The UI state. Cheap to clone: big parts are `Rc`.
#[derive(Clone, PartialEq)]
pub struct Ui {
    pub lang: Lang,
    pub theme: Theme,
    pub embed: bool,
    pub clock: String,
    pub paused: bool,
    pub speed: u32,
    pub revision: u64,
    pub state_hash: String,
    pub view: Rc<ClusterView>,
    pub events: Rc<Vec<[String; 5]>>,
    pub pulses: Rc<Vec<(f64, u64, Pulse)>>,
    pulse_seq: u64,
    /// The newest data-plane request drawn.
    request_id: u64,
    pub selected: Option<ObjectRef>,
    pub tab: PanelTab,
    pub panel_text: Rc<String>,
    pub scheduling: Rc<(Vec<view::SchedulingRow>, Option<String>)>,
    pub notice: Option<String>,
    pub files: Vec<String>,
    pub active_file: String,
    pub markers: Rc<Vec<Marker>>,
    pub editor_loaded: bool,
    /// Where the panes meet: the first column's and the first row's share
    /// of the page, in percent (the splitters move them).
    pub split: (f64, f64),
    last_view: f64,
    last_panel: f64,
}

pub enum Action {
    /// A frame at real time `now_ms`: read what changed.
    Frame(f64),
    /// Something was done to the playground: read everything again.
    Refresh,
    Select(Option<ObjectRef>),
    Tab(PanelTab),
    Lang(Lang),
    Theme(Theme),
    Notice(Option<String>),
    OpenFile(String),
    Markers(Vec<Marker>),
    EditorLoaded,
    /// A splitter moved: (column %, row %).
    Split(f64, f64),
}

impl Ui {
    fn initial(lang: Lang, theme: Theme, embed: bool, notice: Option<String>) -> Ui {
        let mut ui = Ui {
            lang,
            theme,
            embed,
            clock: String::new(),
            paused: false,
            speed: 1,
            revision: 0,
            state_hash: String::new(),
            view: Rc::default(),
            events: Rc::default(),
            pulses: Rc::default(),
            pulse_seq: 0,
            request_id: 0,
            selected: None,
            tab: PanelTab::Describe,
            panel_text: Rc::default(),
            scheduling: Rc::default(),
            notice,
            files: vec![],
            active_file: STARTER_FILE.to_string(),
            markers: Rc::default(),
            editor_loaded: false,
            split: (50.0, 50.0),
            last_view: 0.0,
            last_panel: 0.0,
        };
        // The state hash waits for the first user action: it serialises
        // the whole store, and start-up is on the way to a usable terminal.
        ui.read_views();
        ui
    }

    /// Reads everything from the playground, the state hash included
    /// (after a user action).
    fn read_all(&mut self) {
        self.read_views();
        self.state_hash = with_pg(|pg| format!("{:016x}", pg.state_hash()));
        self.read_panel();
    }

    /// Reads the clock, the diagram's view and the events pane.
    fn read_views(&mut self) {
        with_pg(|pg| {
            self.clock = pg.clock_text();
            self.paused = pg.paused();
            self.speed = pg.speed();
            self.revision = pg.revision();
            self.view = Rc::new(ClusterView::read(&pg.shell.world));
            self.events = Rc::new(view::recent_events(&pg.shell.world, EVENTS_SHOWN));
        });
        self.read_files();
    }

    /// The editor's tabs: the home directory's files and unsaved buffers.
    fn read_files(&mut self) {
        let mut files = with_pg(|pg| pg.home_files());
        BUFFERS.with(|b| files.extend(b.borrow().keys().cloned()));
        apimachinery::sort::sort(&mut files);
        files.dedup();
        self.files = files;
    }

    fn read_panel(&mut self) {
        let Some(sel) = self.selected.clone() else { return };
        with_pg(|pg| {
            self.panel_text = Rc::new(match self.tab {
                PanelTab::Describe | PanelTab::Scheduling => pg.describe(sel.kind, &sel.namespace, &sel.name),
                PanelTab::Yaml => pg.yaml(sel.kind, &sel.namespace, &sel.name),
                PanelTab::Events => {
                    let needle = format!("{}/{}", sel.kind, sel.name);
                    let rows = view::recent_events(&pg.shell.world, 1000);
                    rows.iter().filter(|r| r[3] == needle).map(|r| format!("{:<9} {:<8} {:<18} {}\n", r[0], r[1], r[2], r[4])).collect()
                }
            });
            if sel.kind == "pod" {
                self.scheduling = Rc::new(view::scheduling(&pg.shell.world, &sel.namespace, &sel.name));
            }
        });
    }
}

/// A pulse is drawn until its hop has arrived.
fn alive(now: f64, (t0, _, p): &(f64, u64, Pulse)) -> bool {
    now - t0 <= HOP_MS * (p.hop as f64 + 1.0)
}

impl Reducible for Ui {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut ui = (*self).clone();
        match action {
            Action::Frame(now) => {
                autosave(now, false);
                let (revision, requests, clock, paused) = with_pg(|pg| (pg.revision(), view::newest_request(&pg.shell.world), pg.clock_text(), pg.paused()));
                let stale = ui.pulses.iter().any(|p| !alive(now, p));
                // The views are rebuilt at most every VIEW_MS: a busy
                // cluster changes on every frame.
                let views_due = (revision != ui.revision || requests != ui.request_id) && now - ui.last_view >= VIEW_MS;
                if !views_due && clock == ui.clock && paused == ui.paused && !stale {
                    return self;
                }
                if views_due {
                    ui.last_view = now;
                    let fresh = with_pg(|pg| {
                        let mut fresh = view::pulses_since(&pg.shell.world, ui.revision, MAX_PULSES);
                        fresh.extend(view::request_pulses_since(&pg.shell.world, ui.request_id, MAX_PULSES));
                        fresh
                    });
                    ui.request_id = requests;
                    let mut pulses: Vec<(f64, u64, Pulse)> = ui.pulses.iter().filter(|p| alive(now, p)).cloned().collect();
                    for p in fresh {
                        ui.pulse_seq += 1;
                        pulses.push((now, ui.pulse_seq, p));
                    }
                    let drop = pulses.len().saturating_sub(MAX_PULSES);
                    pulses.drain(..drop);
                    ui.pulses = Rc::new(pulses);
                    ui.read_views();
                    if now - ui.last_panel >= PANEL_MS {
                        ui.last_panel = now;
                        ui.read_panel();
                    }
                } else {
                    ui.clock = clock;
                    ui.paused = paused;
                    ui.pulses = Rc::new(ui.pulses.iter().filter(|p| alive(now, p)).cloned().collect());
                }
            }
            Action::Refresh => ui.read_all(),
            Action::Select(sel) => {
                ui.selected = sel;
                if ui.tab == PanelTab::Scheduling && ui.selected.as_ref().is_some_and(|s| s.kind != "pod") {
                    ui.tab = PanelTab::Describe;
                }
                ui.read_panel();
            }
            Action::Tab(tab) => {
                ui.tab = tab;
                ui.read_panel();
            }
            Action::Lang(l) => {
                ui.lang = l;
                if let Some(s) = storage() {
                    let _ = s.set_item(STORAGE_LANG, l.code());
                }
            }
            Action::Split(col, row) => ui.split = (col.clamp(15.0, 85.0), row.clamp(15.0, 85.0)),
            Action::Theme(th) => {
                ui.theme = th;
                if let Some(s) = storage() {
                    let _ = s.set_item(STORAGE_THEME, th.name());
                }
                js::terminal_theme(th.name());
                js::editor_theme(th.name());
            }
            Action::Notice(n) => ui.notice = n,
            Action::OpenFile(path) => {
                ui.active_file = path;
                ui.read_files();
            }
            Action::Markers(m) => ui.markers = Rc::new(m),
            Action::EditorLoaded => ui.editor_loaded = true,
        }
        Rc::new(ui)
    }
}

/// Starts the playground: from the link in the URL, else the autosaved
/// session, else a fresh cluster. Returns the terminal's first text and a
/// notice for the user.
fn start_playground(lang: Lang) -> (String, Option<String>) {
    let window = web_sys::window().expect("a browser window");
    let hash = window.location().hash().unwrap_or_default();
    let profile = query("profile").unwrap_or_else(|| "kubeadm".into());
    let fresh = |notice: Option<String>| {
        let pg = Playground::new(&profile, 1).or_else(|_| Playground::new("kubeadm", 1)).expect("the kubeadm profile exists");
        let banner = pg.banner();
        PG.with(|p| *p.borrow_mut() = Some(pg));
        (banner, notice)
    };
    if hash.len() > 1 {
        // The link is consumed: from now on the autosave carries the session.
        let _ = window.history().and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&strip_hash(&window))));
        return match Playground::from_fragment(&hash) {
            Ok((pg, text)) => {
                PG.with(|p| *p.borrow_mut() = Some(pg));
                (text, None)
            }
            Err(e) => fresh(Some(format!("{}: {e}. {}", t(lang, T::LinkBroken), t(lang, T::CleanCluster)))),
        };
    }
    if let Some(saved) = storage().and_then(|s| s.get_item(STORAGE_SESSION).ok().flatten()) {
        if let Ok((pg, text)) = Playground::from_fragment(&saved) {
            PG.with(|p| *p.borrow_mut() = Some(pg));
            return (text, Some(t(lang, T::Restored).to_string()));
        }
    }
    fresh(None)
}

fn strip_hash(window: &web_sys::Window) -> String {
    let l = window.location();
    format!("{}{}", l.pathname().unwrap_or_default(), l.search().unwrap_or_default())
}

thread_local! {
    /// When the session was last saved (real ms) and what was saved.
    static SAVED: RefCell<(f64, String)> = const { RefCell::new((f64::NEG_INFINITY, String::new())) };
}

/// Saves the session to localStorage at most every AUTOSAVE_MS (or now,
/// after a command), when it changed.
fn autosave(now: f64, force: bool) {
    SAVED.with(|saved| {
        let mut saved = saved.borrow_mut();
        if !force && now - saved.0 < AUTOSAVE_MS {
            return;
        }
        saved.0 = now;
        let fragment = with_pg(|pg| pg.share_fragment());
        if fragment != saved.1 {
            if let Some(s) = storage() {
                let _ = s.set_item(STORAGE_SESSION, &fragment);
            }
            saved.1 = fragment;
        }
    });
}

/// Saves dirty editor buffers into the shell's filesystem (logged), as a
/// save before running a command.
fn flush_buffers() {
    let dirty: Vec<(String, String)> = BUFFERS.with(|b| std::mem::take(&mut *b.borrow_mut()).into_iter().collect());
    with_pg(|pg| {
        for (path, text) in dirty {
            pg.write_file(&path, &text);
        }
    });
}

fn editor_text_of(path: &str) -> String {
    if let Some(t) = BUFFERS.with(|b| b.borrow().get(path).cloned()) {
        return t;
    }
    if let Some(t) = with_pg(|pg| pg.read_file(path)) {
        return t;
    }
    if path == STARTER_FILE { STARTER_YAML.to_string() } else { String::new() }
}

fn show_markers(markers: &[Marker]) {
    js::editor_set_markers(markers.iter().map(|m| m.line as u32).collect(), markers.iter().map(|m| m.message.clone()).collect());
}

fn base_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[function_component(App)]
pub fn app() -> Html {
    let lang0 = storage()
        .and_then(|s| s.get_item(STORAGE_LANG).ok().flatten())
        .or_else(|| query("lang"))
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .map(|c| Lang::from_code(&c))
        .unwrap_or(Lang::En);
    let first_text = use_mut_ref(|| None::<String>);
    let ui = use_reducer(|| {
        let (text, notice) = start_playground(lang0);
        *first_text.borrow_mut() = Some(text);
        let theme = match storage().and_then(|s| s.get_item(STORAGE_THEME).ok().flatten()).as_deref() {
            Some("light") => Theme::Light,
            _ => Theme::Dark,
        };
        Ui::initial(lang0, theme, query("embed").as_deref() == Some("1"), notice)
    });
    let term_ref = use_node_ref();
    let editor_ref = use_node_ref();
    let panes_ref = use_node_ref();

    // The terminal and the frame loop, once.
    {
        let term_ref = term_ref.clone();
        let dispatcher = ui.dispatcher();
        let theme = ui.theme;
        let first_text = first_text.clone();
        use_effect_with((), move |_| {
            if let Some(el) = term_ref.cast::<web_sys::Element>() {
                let d = dispatcher.clone();
                let on_data = Closure::<dyn FnMut(String)>::new(move |data: String| {
                    if data.contains('\r') {
                        flush_buffers();
                    }
                    let out = with_pg(|pg| pg.input(&data));
                    js::terminal_write(&out);
                    if data.contains('\r') || data.contains('\x03') {
                        autosave(now_ms(), true);
                    }
                    d.dispatch(Action::Frame(now_ms()));
                });
                let on_resize = Closure::<dyn FnMut(u32)>::new(move |cols: u32| with_pg(|pg| pg.resize(cols as usize)));
                js::create_terminal(&el, &on_data, &on_resize, theme.name());
                on_data.forget();
                on_resize.forget();
                if let Some(text) = first_text.borrow_mut().take() {
                    js::terminal_write(&text);
                }
            }
            start_frames(dispatcher);
            // The terminal takes input from here on (tests and benchmarks
            // wait for this mark).
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = root.set_attribute("data-ready", "terminal");
                let _ = root.set_attribute("data-ready-ms", &format!("{:.0}", now_ms()));
            }
            || ()
        });
    }
    // Monaco loads once the terminal is usable.
    {
        let editor_ref = editor_ref.clone();
        let d = ui.dispatcher();
        let theme = ui.theme;
        use_effect_with((), move |_| {
            let timer = gloo::timers::callback::Timeout::new(300, move || load_editor(&editor_ref, &d, theme));
            move || drop(timer)
        });
    }

    let lang = ui.lang;
    let d = ui.dispatcher();
    let act = move |f: fn(&mut Playground) -> String| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            let out = with_pg(f);
            js::terminal_write(&out);
            d.dispatch(Action::Refresh);
        })
    };
    let toggle_pause = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| {
            with_pg(|pg| {
                let p = pg.paused();
                pg.set_paused(!p);
            });
            d.dispatch(Action::Refresh);
        })
    };
    let speed_buttons: Html = playground::SPEEDS
        .iter()
        .map(|s| {
            let s = *s;
            let d = ui.dispatcher();
            let onclick = Callback::from(move |_: MouseEvent| {
                with_pg(|pg| pg.set_speed(s));
                d.dispatch(Action::Refresh);
            });
            let class = if ui.speed == s { "speed active" } else { "speed" };
            html! { <button {class} {onclick} aria-pressed={(ui.speed == s).to_string()}>{ format!("{s}×") }</button> }
        })
        .collect();
    let ff = |minutes: i64| {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let out = with_pg(|pg| pg.fast_forward(minutes * 60_000));
            js::terminal_write(&out);
            d.dispatch(Action::Refresh);
        })
    };
    let share = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let Some(window) = web_sys::window() else { return };
            let l = window.location();
            let url = format!("{}{}#{}", l.origin().unwrap_or_default(), strip_hash(&window), with_pg(|pg| pg.share_fragment()));
            let _ = js::copy_text(&url);
            d.dispatch(Action::Notice(Some(format!("{} {url}", t(lang, T::ShareCopied)))));
        })
    };
    let reset = Callback::from(move |_: MouseEvent| {
        if let Some(s) = storage() {
            let _ = s.remove_item(STORAGE_SESSION);
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(&strip_hash(&w));
        }
    });
    let set_lang = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Lang(if lang == Lang::En { Lang::Ko } else { Lang::En })))
    };
    let set_theme = {
        let d = ui.dispatcher();
        let th = ui.theme;
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Theme(if th == Theme::Dark { Theme::Light } else { Theme::Dark })))
    };
    let on_select = {
        let d = ui.dispatcher();
        Callback::from(move |r: ObjectRef| d.dispatch(Action::Select(Some(r))))
    };
    let close_notice = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Notice(None)))
    };

    // ---- editor ----
    let open_editor = {
        let editor_ref = editor_ref.clone();
        let d = ui.dispatcher();
        let theme = ui.theme;
        Callback::from(move |_: MouseEvent| load_editor(&editor_ref, &d, theme))
    };
    let apply = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| apply_active(&d))
    };
    let tabs: Html = {
        let mut files = ui.files.clone();
        if !files.contains(&ui.active_file) {
            files.push(ui.active_file.clone());
        }
        files
            .into_iter()
            .map(|f| {
                let d = ui.dispatcher();
                let path = f.clone();
                let onclick = Callback::from(move |_: MouseEvent| open_file(path.clone(), &d));
                let class = if f == ui.active_file { "tab active" } else { "tab" };
                html! { <button {class} {onclick}>{ base_name(&f) }</button> }
            })
            .collect()
    };
    let new_file = {
        let d = ui.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let Some(w) = web_sys::window() else { return };
            let Ok(Some(name)) = w.prompt_with_message(t(lang, T::FileName)) else { return };
            let name = name.trim().to_string();
            if name.is_empty() || name.contains('/') || name.len() > 100 {
                return;
            }
            let path = format!("/root/{name}");
            BUFFERS.with(|b| {
                b.borrow_mut().entry(path.clone()).or_default();
            });
            open_file(path, &d);
        })
    };

    // ---- object panel ----
    let panel = match &ui.selected {
        None => html! {},
        Some(sel) => {
            let tab_button = |tab: PanelTab, label: T| {
                let d = ui.dispatcher();
                let class = if ui.tab == tab { "tab active" } else { "tab" };
                html! { <button {class} onclick={Callback::from(move |_: MouseEvent| d.dispatch(Action::Tab(tab)))}>{ t(lang, label) }</button> }
            };
            let close = {
                let d = ui.dispatcher();
                Callback::from(move |_: MouseEvent| d.dispatch(Action::Select(None)))
            };
            let body = if ui.tab == PanelTab::Scheduling {
                scheduling_table(lang, &ui.scheduling)
            } else {
                html! { <pre class="panel-text">{ (*ui.panel_text).clone() }</pre> }
            };
            html! {
                <aside class="panel" aria-label={format!("{} {}", sel.kind, sel.name)}>
                    <header>
                        <strong>{ format!("{}/{}", sel.kind, sel.name) }</strong>
                        { tab_button(PanelTab::Describe, T::Describe) }
                        { tab_button(PanelTab::Yaml, T::Yaml) }
                        { tab_button(PanelTab::Events, T::Events) }
                        if sel.kind == "pod" { { tab_button(PanelTab::Scheduling, T::Scheduling) } }
                        <button class="close" onclick={close}>{ t(lang, T::Close) }</button>
                    </header>
                    { body }
                </aside>
            }
        }
    };

    let events: Html = if ui.events.is_empty() {
        html! { <p class="empty">{ t(lang, T::NoEvents) }</p> }
    } else {
        ui.events
            .iter()
            .rev()
            .map(|r| {
                let class = if r[1] == "Warning" { "event warning" } else { "event" };
                html! { <tr {class}><td>{ r[0].clone() }</td><td>{ r[1].clone() }</td><td>{ r[2].clone() }</td><td>{ r[3].clone() }</td><td>{ r[4].clone() }</td></tr> }
            })
            .collect::<Html>()
    };

    // ---- splitters: drag (pointer) or arrow keys move where the panes meet ----
    let splitter = |vertical: bool| -> Html {
        let panes = panes_ref.clone();
        let d = ui.dispatcher();
        let split = ui.split;
        let onpointerdown = Callback::from(move |e: PointerEvent| {
            if let Some(t) = e.target_dyn_into::<web_sys::Element>() {
                let _ = t.set_pointer_capture(e.pointer_id());
            }
        });
        let onpointermove = {
            let d = d.clone();
            Callback::from(move |e: PointerEvent| {
                if e.buttons() & 1 == 0 {
                    return;
                }
                let Some(el) = panes.cast::<web_sys::Element>() else { return };
                let r = el.get_bounding_client_rect();
                if vertical && r.width() > 0.0 {
                    d.dispatch(Action::Split(100.0 * (e.client_x() as f64 - r.left()) / r.width(), split.1));
                } else if !vertical && r.height() > 0.0 {
                    d.dispatch(Action::Split(split.0, 100.0 * (e.client_y() as f64 - r.top()) / r.height()));
                }
            })
        };
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            let step = match (vertical, e.key().as_str()) {
                (true, "ArrowLeft") | (false, "ArrowUp") => -5.0,
                (true, "ArrowRight") | (false, "ArrowDown") => 5.0,
                _ => return,
            };
            e.prevent_default();
            d.dispatch(if vertical { Action::Split(split.0 + step, split.1) } else { Action::Split(split.0, split.1 + step) });
        });
        let (class, orientation, value) = if vertical { ("splitter col", "vertical", split.0) } else { ("splitter row", "horizontal", split.1) };
        html! {
            <div {class} role="separator" tabindex="0" aria-orientation={orientation} aria-valuenow={format!("{value:.0}")} aria-valuemin="15" aria-valuemax="85"
                {onpointerdown} {onpointermove} {onkeydown} />
        }
    };
    let panes_style = format!("--col: {:.1}%; --row: {:.1}%", ui.split.0, ui.split.1);

    let root_class = format!("app theme-{}{}", ui.theme.name(), if ui.embed { " embed" } else { "" });
    let pause_label = if ui.paused { t(lang, T::Play) } else { t(lang, T::Pause) };
    html! {
        <div class={root_class} lang={lang.code()}>
            <header class="bar">
                <h1>{ "kubeplay" }</h1>
                <span class="clock" title={format!("{} · {} {}", t(lang, T::Clock), t(lang, T::StateHash), ui.state_hash)} data-paused={ui.paused.to_string()} data-state-hash={ui.state_hash.clone()}>
                    { ui.clock.clone() }{ if ui.paused { format!(" ({})", t(lang, T::Paused)) } else { String::new() } }
                </span>
                <button class="pause" onclick={toggle_pause} aria-pressed={ui.paused.to_string()}>{ pause_label }</button>
                <span class="speeds" title={t(lang, T::Speed)}>{ speed_buttons }</span>
                <button class="step" onclick={act(|pg| pg.step())}>{ t(lang, T::Step) }</button>
                <button class="ff" onclick={ff(1)} title={t(lang, T::FastForward)}>{ format!("+1 {}", t(lang, T::Minutes)) }</button>
                <button class="ff5" onclick={ff(5)} title={t(lang, T::FastForward)}>{ format!("+5 {}", t(lang, T::Minutes)) }</button>
                <span class="spacer" />
                if !ui.embed {
                    <button class="share" onclick={share}>{ t(lang, T::Share) }</button>
                    <button class="reset" onclick={reset}>{ t(lang, T::Reset) }</button>
                }
                <button class="lang" onclick={set_lang}>{ if lang == Lang::En { "한국어" } else { "English" } }</button>
                <button class="theme" onclick={set_theme} title={t(lang, T::Theme)}>{ if ui.theme == Theme::Dark { "☀" } else { "☾" } }</button>
            </header>
            if let Some(n) = &ui.notice {
                <div class="notice" role="status"><span>{ n.clone() }</span><button onclick={close_notice}>{ "×" }</button></div>
            }
            <main class="panes" ref={panes_ref.clone()} style={panes_style}>
                { splitter(true) }
                if !ui.embed { { splitter(false) } }
                <section class="pane terminal-pane" aria-label={t(lang, T::Terminal)}>
                    <h2>{ t(lang, T::Terminal) }</h2>
                    <div class="terminal" ref={term_ref}></div>
                </section>
                if !ui.embed {
                    <section class="pane editor-pane" aria-label={t(lang, T::Editor)}>
                        <h2>{ t(lang, T::Editor) }</h2>
                        <div class="editor-bar">
                            { tabs }
                            <button class="new-file" onclick={new_file} title={t(lang, T::NewFile)}>{ "+" }</button>
                            <span class="spacer" />
                            if !ui.editor_loaded {
                                <button class="open-editor" onclick={open_editor}>{ t(lang, T::LoadingEditor) }</button>
                            }
                            <button class="apply" onclick={apply} disabled={!ui.editor_loaded} title="Ctrl+Enter">{ t(lang, T::Apply) }</button>
                        </div>
                        <div class="editor" ref={editor_ref}></div>
                        <ul class="markers">
                            { for ui.markers.iter().map(|m| html! { <li>{ format!("{}: {}", m.line, m.message) }</li> }) }
                        </ul>
                    </section>
                }
                <section class="pane diagram-pane" aria-label={t(lang, T::Diagram)}>
                    <h2>{ t(lang, T::Diagram) }</h2>
                    <Diagram view={ui.view.clone()} pulses={ui.pulses.clone()} selected={ui.selected.clone()} {lang} {on_select} />
                    { panel }
                </section>
                if !ui.embed {
                    <section class="pane events-pane" aria-label={t(lang, T::Events)}>
                        <h2>{ t(lang, T::Events) }</h2>
                        <table class="events"><tbody>{ events }</tbody></table>
                    </section>
                }
            </main>
        </div>
    }
}

thread_local! {
    /// The editor tab being edited (read by Monaco's change callback).
    static ACTIVE: RefCell<String> = RefCell::new(STARTER_FILE.to_string());
}

/// Makes `path` the editor's tab: its text (unsaved buffer, file, or the
/// starter) and its markers.
fn open_file(path: String, d: &UseReducerDispatcher<Ui>) {
    ACTIVE.with(|a| *a.borrow_mut() = path.clone());
    let text = editor_text_of(&path);
    js::editor_set_text(&text);
    show_markers(&locate::check_manifest(&text));
    d.dispatch(Action::OpenFile(path));
}

/// Mounts Monaco in the editor pane (once; later calls do nothing).
fn load_editor(editor_ref: &NodeRef, d: &UseReducerDispatcher<Ui>, theme: Theme) {
    let Some(el) = editor_ref.cast::<web_sys::Element>() else { return };
    if js::editor_ready() {
        return;
    }
    let d2 = d.clone();
    let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| {
        let markers = locate::check_manifest(&text);
        show_markers(&markers);
        let path = ACTIVE.with(|a| a.borrow().clone());
        BUFFERS.with(|b| b.borrow_mut().insert(path, text));
        d2.dispatch(Action::Markers(markers));
    });
    let d3 = d.clone();
    let on_apply = Closure::<dyn FnMut()>::new(move || apply_active(&d3));
    let active = ACTIVE.with(|a| a.borrow().clone());
    let promise = js::load_editor(&el, &editor_text_of(&active), theme.name(), &on_change, &on_apply);
    on_change.forget();
    on_apply.forget();
    let d4 = d.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            d4.dispatch(Action::EditorLoaded);
        }
    });
}

/// The Apply button and Ctrl+Enter: save the tab and `kubectl apply -f`
/// it in the terminal, as if typed; errors are marked at their lines.
fn apply_active(d: &UseReducerDispatcher<Ui>) {
    let path = ACTIVE.with(|a| a.borrow().clone());
    let text = js::editor_get_text();
    BUFFERS.with(|b| b.borrow_mut().remove(&path));
    flush_buffers();
    let out = with_pg(|pg| {
        pg.write_file(&path, &text);
        pg.run_command(&format!("kubectl apply -f {}", base_name(&path)))
    });
    js::terminal_write(&out);
    let mut markers = locate::check_manifest(&text);
    if markers.is_empty() {
        markers = locate::markers_for_errors(&text, &out);
    }
    show_markers(&markers);
    autosave(now_ms(), true);
    d.dispatch(Action::Markers(markers));
    d.dispatch(Action::Refresh);
}

fn scheduling_table(lang: Lang, s: &(Vec<view::SchedulingRow>, Option<String>)) -> Html {
    let (rows, why) = s;
    let why = match why {
        Some(w) => html! { <p class="why"><strong>{ t(lang, T::WhyPending) }{ ": " }</strong>{ w.clone() }</p> },
        None => html! {},
    };
    if rows.is_empty() {
        return html! { <div class="scheduling">{ why }<p>{ t(lang, T::NoSchedulingData) }</p></div> };
    }
    let body: Html = rows
        .iter()
        .map(|r| {
            let filters: Html = r
                .filters
                .iter()
                .map(|(plugin, ok, reason)| {
                    let class = if *ok { "pass" } else { "fail" };
                    let text = if *ok { format!("✓ {plugin}") } else { format!("✗ {plugin}: {reason}") };
                    html! { <div {class}>{ text }</div> }
                })
                .collect();
            let scores: Html = r.scores.iter().map(|(p, s)| html! { <div>{ format!("{p} {s}") }</div> }).collect();
            let class = if r.chosen { "chosen" } else { "" };
            html! {
                <tr {class}>
                    <td>{ r.node.clone() }{ if r.chosen { format!(" ({})", t(lang, T::Chosen)) } else { String::new() } }</td>
                    <td>{ filters }</td>
                    <td>{ scores }</td>
                    <td>{ r.total.map(|t| t.to_string()).unwrap_or_default() }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <div class="scheduling">
            { why }
            <table>
                <thead><tr><th>{ t(lang, T::Node) }</th><th>{ t(lang, T::Filters) }</th><th>{ t(lang, T::Score) }</th><th>{ "Σ" }</th></tr></thead>
                <tbody>{ body }</tbody>
            </table>
        </div>
    }
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The frame loop: real time in, simulated time out, the UI refreshed
/// when the cluster changed.
fn start_frames(dispatcher: UseReducerDispatcher<Ui>) {
    let last = Rc::new(RefCell::new(now_ms()));
    fn schedule(dispatcher: UseReducerDispatcher<Ui>, last: Rc<RefCell<f64>>) {
        let handle = gloo::render::request_animation_frame(move |t| {
            let dt = t - *last.borrow();
            *last.borrow_mut() = t;
            let out = with_pg(|pg| pg.tick(dt));
            if !out.is_empty() {
                js::terminal_write(&out);
            }
            dispatcher.dispatch(Action::Frame(t));
            schedule(dispatcher, last);
        });
        FRAME.with(|f| *f.borrow_mut() = Some(handle));
    }
    schedule(dispatcher, last);
}

pub fn state_hash() -> String {
    format!("{:016x}", with_pg(|pg| pg.state_hash()))
}
