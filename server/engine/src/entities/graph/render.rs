//! A [`Graph`] as Graphviz DOT, and as one self-contained HTML page (no network, no library):
//! the nodes laid out here by a force-directed layout, drawn as SVG, with filters by kind and by
//! minimum weight, zoom and pan, and a panel with the selected entity's neighbours and timeline.

use std::fmt::Write;

use super::{Graph, Kind};

/// Colours by kind (people blue, organisations orange, places green, other purple).
pub fn kind_colour(k: Kind) -> &'static str {
    match k {
        Kind::Person => "#4e79a7",
        Kind::Organization => "#f28e2b",
        Kind::Place => "#59a14f",
        Kind::Other => "#b07aa1",
    }
}

/// Pull towards the centre, per unit of distance: holds unconnected parts near the others.
const GRAVITY: f64 = 1.0;

/// Size of the drawing the layout fills.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 700.0;

impl Graph {
    /// Graphviz DOT: nodes sized by mentions and coloured by kind, edges weighted by shared
    /// paragraphs (`weight`, `penwidth`) and labelled with them.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("graph dossier {\n  graph [overlap=false, splines=true];\n");
        out.push_str("  node [shape=circle, style=filled, fontname=\"sans-serif\", fontsize=10];\n");
        let max = self.nodes.iter().map(|n| n.mentions).max().unwrap_or(1).max(1) as f64;
        for n in &self.nodes {
            let size = 0.3 + 1.2 * (n.mentions as f64 / max).sqrt();
            let _ = writeln!(
                out,
                "  n{} [label=\"{}\", tooltip=\"{} ({}, {} mentions in {} documents)\", fillcolor=\"{}\", width={size:.2}, fixedsize=false];",
                n.id.0,
                dot_escape(&n.name),
                dot_escape(&n.name),
                n.kind.as_str(),
                n.mentions,
                n.documents,
                kind_colour(n.kind),
            );
        }
        for e in &self.edges {
            let pen = 1.0 + (f64::from(e.shared.paragraphs)).ln();
            let _ = writeln!(
                out,
                "  n{} -- n{} [weight={}, penwidth={pen:.2}, label=\"{}\", tooltip=\"{} paragraphs, {} documents\"];",
                e.source.0,
                e.target.0,
                e.shared.paragraphs,
                e.shared.paragraphs,
                e.shared.paragraphs,
                e.shared.documents,
            );
        }
        out.push_str("}\n");
        out
    }

    /// A self-contained HTML page showing the graph (see the module documentation).
    pub fn to_html(&self, title: &str) -> String {
        let positions = layout(self);
        let data = serde_json::json!({
            "graph": self,
            "positions": positions.iter().map(|&(x, y)| [x.round(), y.round()]).collect::<Vec<_>>(),
            "colours": Kind::ALL.iter().map(|&k| (k.as_str(), kind_colour(k))).collect::<std::collections::BTreeMap<_, _>>(),
        });
        // inside <script>: "</" would end the element
        let json = data.to_string().replace("</", "<\\/");
        HTML.replace("{{TITLE}}", &html_escape(title)).replace("{{DATA}}", &json)
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Fruchterman–Reingold on the graph's nodes, from positions on a spiral (most mentioned in the
/// middle): deterministic, fitted to the drawing. `O(n² × steps)`; graphs here have hundreds
/// of nodes.
pub fn layout(g: &Graph) -> Vec<(f64, f64)> {
    let n = g.nodes.len();
    if n == 0 {
        return Vec::new();
    }
    let index: std::collections::HashMap<u32, usize> = g.nodes.iter().enumerate().map(|(i, n)| (n.id.0, i)).collect();
    let edges: Vec<(usize, usize, f64)> = (g.edges.iter())
        .filter_map(|e| Some((*index.get(&e.source.0)?, *index.get(&e.target.0)?, f64::from(e.shared.paragraphs))))
        .collect();
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = i as f64 * 2.399_963; // the golden angle
            let r = 30.0 * (i as f64).sqrt();
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let k = (WIDTH * HEIGHT / n as f64).sqrt() * 0.6;
    let steps = 300;
    for step in 0..steps {
        let temp = WIDTH / 10.0 * (1.0 - step as f64 / steps as f64) + 1.0;
        let mut disp = vec![(0.0f64, 0.0f64); n];
        for i in 0..n {
            for j in i + 1..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(0.01);
                let f = k * k / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for &(a, b, w) in &edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(0.1);
            let f = d / k * (1.0 + w.ln());
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            // gravity keeps the parts that share nothing with the rest in the picture
            let (dx, dy) = (d.0 - p.0 * GRAVITY, d.1 - p.1 * GRAVITY);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            p.0 += dx / len * len.min(temp);
            p.1 += dy / len * len.min(temp);
        }
    }
    let (min_x, max_x) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = pos.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let margin = 60.0;
    let sx = (WIDTH - 2.0 * margin) / (max_x - min_x).max(1.0);
    let sy = (HEIGHT - 2.0 * margin) / (max_y - min_y).max(1.0);
    pos.iter().map(|p| (margin + (p.0 - min_x) * sx, margin + (p.1 - min_y) * sy)).collect()
}

const HTML: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fafafa; display: flex; height: 100vh; }
  #main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  header { padding: 8px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; }
  label { cursor: pointer; user-select: none; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }
  svg#graph { flex: 1; width: 100%; cursor: grab; background: #fff; }
  .node circle { stroke: #fff; stroke-width: 1.5; cursor: pointer; }
  .node text { font-size: 11px; pointer-events: none; fill: #333; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
  .node text.minor { display: none; }
  .node:hover text.minor, .node.near text.minor, .node.selected text.minor { display: inline; }
  .node.selected circle { stroke: #000; stroke-width: 3; }
  .edge { stroke: #999; stroke-opacity: 0.5; }
  .edge.near { stroke: #333; stroke-opacity: 0.9; }
  .faded { opacity: 0.15; }
  aside { width: 320px; border-left: 1px solid #ddd; padding: 12px; overflow: auto; background: #fff; }
  aside h2 { font-size: 16px; margin: 0 0 4px; }
  aside ol { padding-left: 20px; }
  #timeline rect { fill: #4e79a7; }
  .muted { color: #777; }
</style>
</head>
<body>
<div id="main">
  <header>
    <h1>{{TITLE}}</h1>
    <span id="kinds"></span>
    <label>minimum shared paragraphs <input id="weight" type="range" min="1" value="1"> <span id="weight-value">1</span></label>
    <span id="summary" class="muted"></span>
  </header>
  <svg id="graph" viewBox="0 0 1000 700" role="img" aria-label="co-occurrence graph"><g id="view"><g id="edges"></g><g id="nodes"></g></g></svg>
</div>
<aside id="panel"><p class="muted">Click an entity to see who it appears with and when.</p></aside>
<script type="application/json" id="data">{{DATA}}</script>
<script>
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('data').textContent);
  const g = data.graph, pos = data.positions, colours = data.colours;
  const NS = 'http://www.w3.org/2000/svg';
  const plural = (k, w) => k + ' ' + w + (k === 1 ? '' : 's');
  const labelled = new Set(g.nodes.slice().sort((a, b) => b.mentions - a.mentions).slice(0, 40).map((n) => n.id));
  const el = (name, attrs, parent) => { const e = document.createElementNS(NS, name); for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; };
  const byId = new Map(g.nodes.map((n, i) => [n.id, { n, i }]));
  const maxMentions = Math.max(1, ...g.nodes.map((n) => n.mentions));
  const maxWeight = Math.max(1, ...g.edges.map((e) => e.paragraphs));
  const weight = document.getElementById('weight');
  weight.max = String(maxWeight);
  const shown = new Set(Object.keys(colours));
  const kinds = document.getElementById('kinds');
  for (const k of Object.keys(colours)) {
    const l = document.createElement('label');
    l.innerHTML = '<input type="checkbox" checked> <span class="swatch"></span>' + k + ' ';
    l.querySelector('.swatch').style.background = colours[k];
    l.querySelector('input').addEventListener('change', (ev) => { ev.target.checked ? shown.add(k) : shown.delete(k); update(); });
    kinds.appendChild(l);
  }
  const edgeLayer = document.getElementById('edges'), nodeLayer = document.getElementById('nodes');
  const edges = g.edges.map((e) => {
    const a = byId.get(e.source), b = byId.get(e.target);
    const line = el('line', { class: 'edge', x1: pos[a.i][0], y1: pos[a.i][1], x2: pos[b.i][0], y2: pos[b.i][1], 'stroke-width': 1 + Math.log(e.paragraphs) }, edgeLayer);
    el('title', {}, line).textContent = a.n.name + ' and ' + b.n.name + ': ' + plural(e.paragraphs, 'paragraph') + ', ' + plural(e.documents, 'document');
    return { e, line, a: a.n, b: b.n };
  });
  let selected = null;
  const nodes = g.nodes.map((n, i) => {
    const grp = el('g', { class: 'node', 'data-id': n.id, transform: 'translate(' + pos[i][0] + ',' + pos[i][1] + ')' }, nodeLayer);
    const r = 4 + 16 * Math.sqrt(n.mentions / maxMentions);
    el('circle', { r, fill: colours[n.kind] }, grp);
    el('title', {}, grp).textContent = n.name + ' (' + n.kind + '): ' + plural(n.mentions, 'mention') + ' in ' + plural(n.documents, 'document');
    const label = el('text', { x: r + 2, y: 4 }, grp);
    label.textContent = n.name;
    if (!labelled.has(n.id)) label.classList.add('minor');
    grp.addEventListener('click', (ev) => { ev.stopPropagation(); select(n); });
    return { n, grp };
  });
  function visible(n) { return shown.has(n.kind); }
  function update() {
    const w = Number(weight.value);
    document.getElementById('weight-value').textContent = String(w);
    let ne = 0;
    for (const x of edges) {
      const on = x.e.paragraphs >= w && visible(x.a) && visible(x.b);
      x.line.style.display = on ? '' : 'none';
      if (on) ne++;
      x.line.classList.toggle('near', !!selected && (x.a === selected || x.b === selected));
    }
    for (const x of nodes) x.grp.style.display = visible(x.n) ? '' : 'none';
    document.getElementById('summary').textContent = plural(nodes.filter((x) => visible(x.n)).length, 'entity').replace(/entitys$/, 'entities') + ', ' + plural(ne, 'link') + ', ' + plural(g.documents, 'document') + ' (' + g.datedDocuments + ' dated)';
  }
  function select(n) {
    selected = n;
    for (const x of nodes) x.grp.classList.toggle('selected', x.n === n);
    const around = new Set(edges.filter((x) => x.a === n || x.b === n).flatMap((x) => [x.a, x.b]));
    for (const x of nodes) x.grp.classList.toggle('near', around.has(x.n) && x.n !== n);
    const near = edges.filter((x) => x.a === n || x.b === n).map((x) => ({ other: x.a === n ? x.b : x.a, e: x.e }))
      .sort((p, q) => q.e.paragraphs - p.e.paragraphs || q.e.documents - p.e.documents);
    const panel = document.getElementById('panel');
    panel.innerHTML = '';
    const h = document.createElement('h2'); h.textContent = n.name; panel.appendChild(h);
    const p = document.createElement('p'); p.className = 'muted';
    p.textContent = n.kind + ', ' + plural(n.mentions, 'mention') + ' in ' + plural(n.documents, 'document'); panel.appendChild(p);
    panel.appendChild(timeline(n));
    const h3 = document.createElement('h3'); h3.textContent = 'Appears with'; panel.appendChild(h3);
    const ol = document.createElement('ol');
    for (const x of near) {
      const li = document.createElement('li');
      const a = document.createElement('a'); a.href = '#'; a.textContent = x.other.name;
      a.addEventListener('click', (ev) => { ev.preventDefault(); select(x.other); });
      li.appendChild(a);
      li.appendChild(document.createTextNode(' — ' + plural(x.e.paragraphs, 'paragraph') + ', ' + plural(x.e.documents, 'document')));
      ol.appendChild(li);
    }
    panel.appendChild(ol);
    update();
  }
  function month(d) { return d.slice(0, 7); }
  function timeline(n) {
    const box = document.createElement('div'); box.id = 'timeline';
    if (!n.timeline.length) { box.textContent = 'No dated documents.'; box.className = 'muted'; return box; }
    const all = g.nodes.flatMap((x) => x.timeline.map((t) => month(t.date))).sort();
    const first = all[0], last = all[all.length - 1];
    const months = [];
    for (let [y, m] = first.split('-').map(Number); ; m++) {
      if (m > 12) { y++; m = 1; }
      const key = y + '-' + String(m).padStart(2, '0');
      months.push(key);
      if (key >= last || months.length > 600) break;
    }
    const counts = new Map();
    for (const t of n.timeline) counts.set(month(t.date), (counts.get(month(t.date)) || 0) + t.mentions);
    const max = Math.max(...counts.values());
    const W = 290, H = 60, bw = W / months.length;
    const svg = el('svg', { width: W, height: H + 16, viewBox: '0 0 ' + W + ' ' + (H + 16) });
    months.forEach((m, i) => {
      const c = counts.get(m) || 0;
      if (!c) return;
      const h = Math.max(2, H * c / max);
      const r = el('rect', { x: i * bw, y: H - h, width: Math.max(1, bw - 1), height: h }, svg);
      el('title', {}, r).textContent = m + ': ' + plural(c, 'mention');
    });
    el('text', { x: 0, y: H + 12, 'font-size': 10 }, svg).textContent = first;
    el('text', { x: W, y: H + 12, 'font-size': 10, 'text-anchor': 'end' }, svg).textContent = last;
    box.appendChild(svg);
    return box;
  }
  // zoom with the wheel, pan by dragging the background
  const svg = document.getElementById('graph'), view = document.getElementById('view');
  let t = { x: 0, y: 0, s: 1 }, drag = null;
  const apply = () => view.setAttribute('transform', 'translate(' + t.x + ',' + t.y + ') scale(' + t.s + ')');
  svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const f = ev.deltaY < 0 ? 1.15 : 1 / 1.15;
    const r = svg.getBoundingClientRect(), k = 1000 / r.width;
    const mx = (ev.clientX - r.left) * k, my = (ev.clientY - r.top) * k;
    t = { s: t.s * f, x: mx - (mx - t.x) * f, y: my - (my - t.y) * f };
    apply();
  }, { passive: false });
  svg.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, y: ev.clientY, t: { ...t } }; svg.style.cursor = 'grabbing'; });
  window.addEventListener('mousemove', (ev) => {
    if (!drag) return;
    const k = 1000 / svg.getBoundingClientRect().width;
    t = { ...drag.t, x: drag.t.x + (ev.clientX - drag.x) * k, y: drag.t.y + (ev.clientY - drag.y) * k };
    apply();
  });
  window.addEventListener('mouseup', () => { drag = null; svg.style.cursor = ''; });
  weight.addEventListener('input', update);
  update();
  if (g.nodes.length) select(g.nodes[0]);
})();
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::super::{Edge, Graph, Node, Shared, TimePoint};
    use super::*;
    use crate::dates::Date;
    use crate::entities::EntityId;

    fn graph() -> Graph {
        let node = |id, name: &str, kind, mentions| Node {
            id: EntityId(id),
            name: name.into(),
            kind,
            mentions,
            documents: 1,
            timeline: vec![TimePoint { date: Date { year: 2024, month: 10, day: 30 }, mentions: mentions as u32 }],
            definition: None,
            together: None,
        };
        Graph {
            nodes: vec![
                node(3, "Imangali \"Tasm\" </script>", Kind::Person, 23),
                node(7, "CSTO", Kind::Organization, 10),
            ],
            edges: vec![Edge {
                source: EntityId(3),
                target: EntityId(7),
                shared: Shared { paragraphs: 6, documents: 1 },
            }],
            documents: 2,
            dated_documents: 1,
        }
    }

    #[test]
    fn dot_escapes_names_and_weights_edges() {
        let dot = graph().to_dot();
        assert!(dot.contains(r#"n3 [label="Imangali \"Tasm\" </script>""#), "{dot}");
        assert!(dot.contains("n3 -- n7 [weight=6"), "{dot}");
        assert!(dot.contains(kind_colour(Kind::Organization)));
    }

    #[test]
    fn html_is_self_contained_and_safe() {
        let html = graph().to_html("Seeds <corpus>");
        assert!(html.contains("<title>Seeds &lt;corpus&gt;</title>"));
        assert!(!html.contains("</script>\""), "a name must not close the data script");
        assert!(
            !html.contains("http://") || html.matches("http://").all(|_| html.contains("http://www.w3.org/2000/svg"))
        );
        assert!(!html.contains("https://"));
        let start = html.find(r#"id="data">"#).unwrap() + r#"id="data">"#.len();
        let end = start + html[start..].find("</script>").unwrap();
        let v: serde_json::Value = serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
        assert_eq!(v["graph"]["nodes"][0]["kind"], "person");
        assert_eq!(v["graph"]["edges"][0]["paragraphs"], 6);
        assert_eq!(v["positions"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn layout_is_deterministic_and_fits_the_drawing() {
        let g = graph();
        let a = layout(&g);
        assert_eq!(a, layout(&g));
        assert!(a.iter().all(|&(x, y)| (0.0..=WIDTH).contains(&x) && (0.0..=HEIGHT).contains(&y)));
        assert_ne!(a[0], a[1]);
    }
}
