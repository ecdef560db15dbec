// The corpus at a glance in VS Code: the command "Dossier: Entity Graph" opens a webview drawn
// with cytoscape.js (bundled into dist/graph-view.js, no network), fed by the server's
// `dossier/graph` request; clicking an entity opens its references. Also the command behind the
// "All references" link of the hover card.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient, StaticFeature } from 'vscode-languageclient/node';

export const GRAPH_REQUEST = 'dossier/graph';
export const SHOW_REFERENCES = 'dossier.showReferences';

interface Position { line: number; character: number }
interface Location { uri: string; range: { start: Position; end: Position } }
export interface GraphNode {
  id: number;
  name: string;
  kind: string;
  mentions: number;
  documents: number;
  timeline: { date: string; mentions: number }[];
  location: Location | null;
  together: Location | null;
}
export interface GraphResult {
  nodes: GraphNode[];
  edges: { source: number; target: number; paragraphs: number; documents: number }[];
  documents: number;
  datedDocuments: number;
  focus: number | null;
}

/**
 * Tells the server that the hover card may link to {@link SHOW_REFERENCES} (the server adds the
 * link only for clients that list the command, as rust-analyzer does for its own).
 */
export class ReferencesCommandFeature implements StaticFeature {
  fillClientCapabilities(capabilities: { experimental?: unknown }): void {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    experimental.commands = { commands: [SHOW_REFERENCES] };
    capabilities.experimental = experimental;
  }
  initialize(): void {}
  getState(): { kind: 'static' } {
    return { kind: 'static' };
  }
  clear(): void {}
}

/** Every reference of the entity at (uri, position), in the references peek of its document. */
export async function showReferences(uri: string | vscode.Uri, at: Position | vscode.Position): Promise<void> {
  const u = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  const p = at instanceof vscode.Position ? at : new vscode.Position(at.line, at.character);
  const editor = await vscode.window.showTextDocument(u, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(p, p),
  });
  const locations =
    (await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', u, p)) ?? [];
  await vscode.commands.executeCommand('editor.action.showReferences', editor.document.uri, p, locations);
}

/** The one Entity Graph panel. */
export class GraphPanel {
  private static current: GraphPanel | undefined;
  private graph: GraphResult | undefined;

  static async show(context: vscode.ExtensionContext, client: LanguageClient | undefined): Promise<void> {
    if (!client?.isRunning()) {
      void vscode.window.showInformationMessage('Dossier: the server is not running.');
      return;
    }
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(vscode.ViewColumn.Beside);
    } else {
      const panel = vscode.window.createWebviewPanel(
        'dossier.entityGraph',
        'Dossier: Entity Graph',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        {
          enableScripts: true,
          retainContextWhenHidden: true,
          localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
        },
      );
      GraphPanel.current = new GraphPanel(panel, context);
    }
    await GraphPanel.current.load(client, vscode.window.activeTextEditor);
  }

  private constructor(private readonly panel: vscode.WebviewPanel, context: vscode.ExtensionContext) {
    panel.webview.html = this.page(context);
    panel.onDidDispose(() => { GraphPanel.current = undefined; });
    panel.webview.onDidReceiveMessage((m: { type: string; id?: number }) => {
      if (m.type === 'open' && typeof m.id === 'number') void this.open(m.id);
    });
  }

  /** Ask the server for the graph, and which entity is under the cursor of the editor in use. */
  private async load(client: LanguageClient, editor: vscode.TextEditor | undefined): Promise<void> {
    // the timeline strip draws months: the server sums them (a far smaller answer)
    const graph = await client.sendRequest<GraphResult>(GRAPH_REQUEST, { maxNodes: 150, timeline: 'month' });
    let select: number | null = null;
    if (editor && editor.document.uri.scheme === 'file') {
      const focus = {
        textDocument: { uri: editor.document.uri.toString() },
        position: { line: editor.selection.active.line, character: editor.selection.active.character },
      };
      const at = await client.sendRequest<GraphResult>(GRAPH_REQUEST, { focus, maxNodes: 1 });
      select = at.focus;
    }
    this.graph = graph;
    void this.panel.webview.postMessage({ type: 'graph', graph, select });
  }

  /** A click on an entity: its references, from where it is defined. */
  private async open(id: number): Promise<void> {
    const node = this.graph?.nodes.find((n) => n.id === id);
    const at = node?.location ?? node?.together;
    if (!at) return;
    await showReferences(at.uri, at.range.start);
  }

  private page(context: vscode.ExtensionContext): string {
    const webview = this.panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'graph-view.js'));
    const nonce = crypto.randomBytes(16).toString('base64');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  html, body { height: 100%; margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  body { display: flex; flex-direction: column; }
  header { display: flex; gap: 14px; align-items: center; flex-wrap: wrap; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border); }
  label { cursor: pointer; user-select: none; white-space: nowrap; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin: 0 4px 0 2px; }
  #summary { opacity: 0.75; }
  main { flex: 1; display: flex; min-height: 0; }
  #cy { flex: 1; min-width: 0; }
  aside { width: 280px; overflow: auto; padding: 8px 10px; border-left: 1px solid var(--vscode-panel-border); }
  aside h2 { font-size: 1.15em; margin: 0.2em 0; }
  aside ol { padding-left: 20px; margin: 0.3em 0; }
  aside a { color: var(--vscode-textLink-foreground); cursor: pointer; }
  .muted { opacity: 0.7; }
  #timeline rect { fill: var(--vscode-charts-blue, #4e79a7); }
  #timeline text { fill: var(--vscode-foreground); font-size: 10px; }
</style>
</head>
<body>
<header>
  <span id="kinds"></span>
  <label>min. shared paragraphs <input id="weight" type="range" min="1" max="1" value="1"> <span id="weight-value">1</span></label>
  <span id="summary">loading…</span>
</header>
<main>
  <div id="cy" role="img" aria-label="co-occurrence graph"></div>
  <aside id="panel"><p class="muted">Click an entity: its references open in the editor, its timeline and the entities it appears with show here.</p></aside>
</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

/** Register the commands of this file. */
export function registerGraph(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('dossier.entityGraph', () => GraphPanel.show(context, client())),
    vscode.commands.registerCommand(SHOW_REFERENCES, (uri: string, at: Position) => showReferences(uri, at)),
  );
}
