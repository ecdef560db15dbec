import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { ReferencesCommandFeature, registerGraph, SHOW_REFERENCES } from './graph';

const SECTION = 'dossier';
/** Settings of this extension alone (the server ignores them). */
const EDITOR_ONLY = ['server.', 'trace.'];

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem;
let output: vscode.OutputChannel;
let extensionPath = '';
/** The names (without `dossier.`) of the settings this extension contributes, from its package.json. */
let settingNames: string[] = [];

/**
 * The settings the server reads, in the shape of dossier.toml: every contributed setting the user
 * has set (`dossier.corpus.exclude` becomes `{corpus: {exclude}}`). The list and shape of the
 * settings live in package.json alone, which a test keeps equal to the server's. Defaults are not
 * sent: they are the server's own, and sending them would override dossier.toml.
 */
export function serverSettings(scope?: vscode.ConfigurationScope): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const out: Record<string, unknown> = {};
  for (const name of settingNames) {
    if (EDITOR_ONLY.some((p) => name.startsWith(p))) continue;
    const i = c.inspect(name);
    const value = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (value === undefined) continue;
    const parts = name.split('.');
    let table = out;
    for (const part of parts.slice(0, -1)) {
      table = (table[part] ??= {}) as Record<string, unknown>;
    }
    table[parts[parts.length - 1]] = value;
  }
  return out;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      if (isExecutable(p)) return p;
    }
  }
  return undefined;
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(process.env.HOME ?? '', p.slice(2)) : p;
}

/** Setting, else the binary shipped in the extension, else `dossier` on PATH. */
export function resolveServer(): { path?: string; tried: string[] } {
  const tried: string[] = [];
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('server.path', '').trim();
  if (configured) {
    const p = expandHome(configured);
    const resolved = path.isAbsolute(p) ? p : (p.includes('/') ? path.resolve(workspaceRoot() ?? '', p) : onPath(p));
    tried.push(`setting dossier.server.path = ${configured}`);
    return { path: resolved && isExecutable(resolved) ? resolved : undefined, tried };
  }
  const bundled = path.join(extensionPath, 'server', process.platform === 'win32' ? 'dossier.exe' : 'dossier');
  tried.push(bundled);
  if (isExecutable(bundled)) return { path: bundled, tried };
  tried.push('dossier on PATH');
  return { path: onPath('dossier'), tried };
}

function workspaceRoot(): string | undefined {
  const f = vscode.workspace.workspaceFolders?.[0];
  return f?.uri.scheme === 'file' ? f.uri.fsPath : undefined;
}

function setStatus(text: string, tooltip: string, busy = false): void {
  status.text = `${busy ? '$(sync~spin)' : '$(book)'} ${text}`;
  status.tooltip = tooltip;
  status.show();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const server = resolveServer();
  if (!server.path) {
    setStatus('Dossier: no server', 'The dossier binary was not found');
    const choice = await vscode.window.showErrorMessage(
      'Dossier: the language server binary `dossier` was not found (looked at: ' + server.tried.join('; ') +
        '). Install it (`cargo install --path .` in the Dossier repository) or set "dossier.server.path" to its full path.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'dossier.server.path');
    }
    return;
  }
  const run = { command: server.path, args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'untitled', language: 'plaintext' },
    ],
    initializationOptions: serverSettings(),
    outputChannel: output,
    // the hover card's "All references" link runs this command, and no other
    markdown: { isTrusted: { enabledCommands: [SHOW_REFERENCES] } },
    middleware: {
      workspace: {
        // answer workspace/configuration for section "dossier" in the server's shape
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return params.items.map((item, i) => {
            if (item.section === SECTION || item.section === undefined) {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return item.section === undefined ? { [SECTION]: serverSettings(scope) } : serverSettings(scope);
            }
            return result[i];
          });
        },
      },
      handleWorkDoneProgress: (token, params, next) => {
        if (params.kind === 'begin') {
          setStatus(`Dossier: ${params.title}${params.percentage !== undefined ? ` ${params.percentage}%` : ''}`,
            params.message ?? params.title, true);
        } else if (params.kind === 'report') {
          const pct = params.percentage !== undefined ? ` ${params.percentage}%` : '';
          setStatus(`Dossier: indexing${pct}`, params.message ?? 'Indexing the corpus', true);
        } else {
          const m = /(\d+)\s+documents?/.exec(params.message ?? '');
          setStatus(m ? `Dossier: ${m[1]} docs` : 'Dossier', params.message ?? 'Dossier is ready');
        }
        next(token, params);
      },
    },
  };
  client = new LanguageClient('dossier', 'Dossier', serverOptions, clientOptions);
  client.registerFeature(new ReferencesCommandFeature());
  client.onDidChangeState((e) => {
    if (e.newState === State.Starting) setStatus('Dossier: starting', server.path ?? '', true);
    if (e.newState === State.Stopped) setStatus('Dossier: stopped', 'The server is not running (Dossier: Restart Server)');
  });
  setStatus('Dossier: starting', server.path, true);
  try {
    await client.start();
    if (status.text.includes('starting')) setStatus('Dossier', `Dossier server: ${server.path}`);
  } catch (e) {
    setStatus('Dossier: failed', String(e));
    void vscode.window.showErrorMessage(`Dossier: the server ${server.path} failed to start: ${String(e)}`);
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (e) {
      output.appendLine(`stop: ${String(e)}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

async function openRegistry(): Promise<void> {
  const root = workspaceRoot();
  if (!root) {
    void vscode.window.showInformationMessage('Dossier: open a corpus folder first.');
    return;
  }
  const rel = vscode.workspace.getConfiguration(SECTION).get<string>('registry.path', 'entities.toml');
  const file = path.resolve(root, rel);
  if (!fs.existsSync(file)) {
    void vscode.window.showInformationMessage(
      `Dossier: there is no registry at ${file}. Create ${path.basename(file)} there (or use the "Add to registry" quick fix) to add entities.`,
    );
    return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  const contributed = context.extension.packageJSON?.contributes?.configuration?.properties ?? {};
  settingNames = Object.keys(contributed)
    .filter((k) => k.startsWith(`${SECTION}.`))
    .map((k) => k.slice(SECTION.length + 1));
  output = vscode.window.createOutputChannel('Dossier');
  status = vscode.window.createStatusBarItem('dossier.status', vscode.StatusBarAlignment.Left, 10);
  status.name = 'Dossier';
  status.command = 'dossier.restartServer';
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand('dossier.restartServer', () => restart(context)),
    vscode.commands.registerCommand('dossier.reindex', () => restart(context)),
    vscode.commands.registerCommand('dossier.showEntityCard', () =>
      vscode.commands.executeCommand('editor.action.showHover')),
    vscode.commands.registerCommand('dossier.openRegistry', openRegistry),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration('dossier.server.path')) {
        await restart(context);
      } else if (client?.isRunning() && !e.affectsConfiguration('dossier.trace')) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
  );
  registerGraph(context, () => client);
  await startClient(context);
}

export function deactivate(): Thenable<void> | undefined {
  return stopClient();
}
