// The Entity Graph webview (runs in the webview, bundled with cytoscape.js into
// dist/graph-view.js): entities as nodes sized by mentions and coloured by kind, edges weighted by
// shared paragraphs; filters by kind and minimum weight; a click selects an entity (its timeline
// and the entities it appears with show in the side panel) and asks the extension to open its
// references.
import cytoscape from 'cytoscape';

interface TimePoint { date: string; mentions: number }
interface GraphNode { id: number; name: string; kind: string; mentions: number; documents: number; timeline: TimePoint[] }
interface GraphEdge { source: number; target: number; paragraphs: number; documents: number }
interface Graph { nodes: GraphNode[]; edges: GraphEdge[]; documents: number; datedDocuments: number }
interface VsCodeApi { postMessage(message: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const COLOURS: Record<string, string> = {
  person: '#4e79a7',
  organization: '#f28e2b',
  place: '#59a14f',
  other: '#b07aa1',
};
const plural = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let cy: cytoscape.Core | undefined;
let graph: Graph | undefined;
const shown = new Set(Object.keys(COLOURS));

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function draw(g: Graph, select: number | null): void {
  graph = g;
  const maxMentions = Math.max(1, ...g.nodes.map((n) => n.mentions));
  const maxWeight = Math.max(1, ...g.edges.map((e) => e.paragraphs));
  const weight = $<HTMLInputElement>('weight');
  weight.max = String(maxWeight);
  cy?.destroy();
  cy = cytoscape({
    container: $('cy'),
    elements: [
      ...g.nodes.map((n) => ({
        data: { id: String(n.id), label: n.name, kind: n.kind, size: 14 + 46 * Math.sqrt(n.mentions / maxMentions) },
      })),
      ...g.edges.map((e) => ({
        data: { id: `${e.source}-${e.target}`, source: String(e.source), target: String(e.target), weight: e.paragraphs },
      })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          'background-color': (n: cytoscape.NodeSingular) => COLOURS[n.data('kind')] ?? '#888',
          width: 'data(size)',
          height: 'data(size)',
          label: 'data(label)',
          'font-size': 11,
          color: themeColour('--vscode-foreground', '#ccc'),
          'text-valign': 'bottom',
          'text-margin-y': 3,
          'text-outline-color': themeColour('--vscode-editor-background', '#1e1e1e'),
          'text-outline-width': 2,
        },
      },
      {
        selector: 'edge',
        style: {
          width: (e: cytoscape.EdgeSingular) => 1 + 6 * Math.sqrt(e.data('weight') / maxWeight),
          'line-color': themeColour('--vscode-editorLineNumber-foreground', '#888'),
          opacity: 0.45,
          'curve-style': 'haystack',
        },
      },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': themeColour('--vscode-focusBorder', '#fff') } },
      { selector: 'edge.near', style: { opacity: 0.9, 'line-color': themeColour('--vscode-focusBorder', '#fff') } },
      { selector: '.hidden', style: { display: 'none' } },
    ],
    layout: {
      name: 'cose',
      animate: false,
      randomize: false,
      nodeRepulsion: () => 400_000,
      idealEdgeLength: () => 60,
      nodeOverlap: 20,
      componentSpacing: 60,
      gravity: 60,
      numIter: 1500,
      padding: 20,
    },
    wheelSensitivity: 0.3,
  });
  cy.on('tap', 'node', (ev) => {
    const id = Number(ev.target.id());
    selectNode(id);
    vscode.postMessage({ type: 'open', id });
  });
  filter();
  // the container may have had no size yet when the layout ran: fit once it has
  requestAnimationFrame(() => { cy?.resize(); cy?.fit(undefined, 20); });
  if (select !== null && cy.getElementById(String(select)).nonempty()) selectNode(select);
  (window as unknown as { dossierGraph: cytoscape.Core }).dossierGraph = cy; // for the end-to-end test
  document.body.dataset.ready = 'true';
}

/** Hide the entities of unticked kinds and the edges below the minimum weight. */
function filter(): void {
  if (!cy || !graph) return;
  const min = Number($<HTMLInputElement>('weight').value);
  $('weight-value').textContent = String(min);
  let nodes = 0;
  let edges = 0;
  cy.batch(() => {
    cy!.nodes().forEach((n) => {
      const on = shown.has(n.data('kind'));
      n.toggleClass('hidden', !on);
      if (on) nodes++;
    });
    cy!.edges().forEach((e) => {
      const on = e.data('weight') >= min && shown.has(e.source().data('kind')) && shown.has(e.target().data('kind'));
      e.toggleClass('hidden', !on);
      if (on) edges++;
    });
  });
  document.body.dataset.nodes = String(nodes);
  $('summary').textContent =
    `${plural(nodes, 'entity').replace(/entitys$/, 'entities')}, ${plural(edges, 'link')}, ` +
    `${plural(graph.documents, 'document')} (${graph.datedDocuments} dated)`;
}

function selectNode(id: number): void {
  if (!cy || !graph) return;
  const n = graph.nodes.find((x) => x.id === id);
  if (!n) return;
  cy.$(':selected').unselect();
  const el = cy.getElementById(String(id));
  el.select();
  cy.edges().removeClass('near');
  el.connectedEdges().addClass('near');
  document.body.dataset.selected = n.name;
  const panel = $('panel');
  panel.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = n.name;
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = `${n.kind}, ${plural(n.mentions, 'mention')} in ${plural(n.documents, 'document')}`;
  panel.append(h, p, timeline(n));
  const near = graph.edges
    .filter((e) => e.source === id || e.target === id)
    .map((e) => ({ other: graph!.nodes.find((x) => x.id === (e.source === id ? e.target : e.source))!, e }))
    .sort((a, b) => b.e.paragraphs - a.e.paragraphs || b.e.documents - a.e.documents);
  const h3 = document.createElement('h3');
  h3.textContent = 'Appears with';
  const ol = document.createElement('ol');
  for (const x of near.slice(0, 30)) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.textContent = x.other.name;
    a.addEventListener('click', () => selectNode(x.other.id));
    li.append(a, ` — ${plural(x.e.paragraphs, 'paragraph')}, ${plural(x.e.documents, 'document')}`);
    ol.append(li);
  }
  panel.append(h3, ol);
}

/** Mentions per month over the dates of the whole graph, as bars. */
function timeline(n: GraphNode): HTMLElement {
  const box = document.createElement('div');
  box.id = 'timeline';
  if (!graph || n.timeline.length === 0) {
    box.className = 'muted';
    box.textContent = 'No dated documents mention it.';
    return box;
  }
  const month = (d: string): string => d.slice(0, 7);
  const all = graph.nodes.flatMap((x) => x.timeline.map((t) => month(t.date))).sort();
  const first = all[0];
  const last = all[all.length - 1];
  const months: string[] = [];
  for (let [y, m] = first.split('-').map(Number); months.length <= 600; m++) {
    if (m > 12) { y++; m = 1; }
    const key = `${y}-${String(m).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) break;
  }
  const counts = new Map<string, number>();
  for (const t of n.timeline) counts.set(month(t.date), (counts.get(month(t.date)) ?? 0) + t.mentions);
  const max = Math.max(...counts.values());
  const W = 250;
  const H = 50;
  const bw = W / months.length;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H + 14));
  months.forEach((m, i) => {
    const c = counts.get(m) ?? 0;
    if (!c) return;
    const h = Math.max(2, (H * c) / max);
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('x', String(i * bw));
    r.setAttribute('y', String(H - h));
    r.setAttribute('width', String(Math.max(1, bw - 1)));
    r.setAttribute('height', String(h));
    const title = document.createElementNS(NS, 'title');
    title.textContent = `${m}: ${plural(c, 'mention')}`;
    r.append(title);
    svg.append(r);
  });
  for (const [x, anchor, text] of [[0, 'start', first], [W, 'end', last]] as const) {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(H + 12));
    t.setAttribute('text-anchor', anchor);
    t.textContent = text;
    svg.append(t);
  }
  box.append(svg);
  return box;
}

function controls(): void {
  const kinds = $('kinds');
  for (const k of Object.keys(COLOURS)) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.kind = k;
    box.addEventListener('change', () => {
      if (box.checked) shown.add(k); else shown.delete(k);
      filter();
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = COLOURS[k];
    label.append(box, swatch, k);
    kinds.append(label);
  }
  $<HTMLInputElement>('weight').addEventListener('input', filter);
}

controls();
window.addEventListener('resize', () => { cy?.resize(); cy?.fit(undefined, 20); });
window.addEventListener('message', (ev: MessageEvent<{ type: string; graph?: Graph; select?: number | null }>) => {
  if (ev.data.type === 'graph' && ev.data.graph) draw(ev.data.graph, ev.data.select ?? null);
});
