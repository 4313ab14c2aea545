// Drives the real server over stdio with the protocol layer
// vscode-languageclient is built on (vscode-languageserver-protocol/node),
// sending the settings the extension would send.

import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  createProtocolConnection,
  ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  HoverRequest,
  DefinitionRequest,
  CodeActionRequest,
  ShutdownRequest,
  ExitNotification,
  Location,
  MarkupContent,
  CodeAction,
} from 'vscode-languageserver-protocol/node';
import { serverSettings, Getter } from '../src/settings';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SERVER = process.env.DOCKERFILE_LSP_SERVER ?? path.join(ROOT, 'target', 'debug', 'dockerfile-lsp');
const URI = 'file:///project/Dockerfile';
const TEXT = fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', 'editors', 'Dockerfile'), 'utf8');

function positionOf(needle: string, offset = 0) {
  const lines = TEXT.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, needle);
  return { line, character: lines[line].indexOf(needle) + offset };
}

describe('the server, through the client protocol library', function () {
  let server: ChildProcess;
  let connection: ProtocolConnection;
  const diagnostics: PublishDiagnosticsParams[] = [];

  before(async function () {
    assert.ok(fs.existsSync(SERVER), `no server at ${SERVER}: run cargo build first (or set DOCKERFILE_LSP_SERVER)`);
    server = spawn(SERVER, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    connection = createProtocolConnection(
      new StreamMessageReader(server.stdout!),
      new StreamMessageWriter(server.stdin!),
    );
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => diagnostics.push(params));
    connection.listen();
    const values: Record<string, unknown> = { disabledRules: ['NoDockerignore'] };
    const get: Getter = <T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback);
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        // what VS Code announces for the requests below
        textDocument: {
          hover: { contentFormat: ['markdown'] },
          codeAction: {
            isPreferredSupport: true,
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor'] } },
          },
        },
        workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } },
      },
      initializationOptions: serverSettings(get).settings,
    });
    assert.ok(result.capabilities.hoverProvider);
    assert.ok(result.capabilities.definitionProvider);
    await connection.sendNotification(InitializedNotification.type, {});
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: URI, languageId: 'dockerfile', version: 1, text: TEXT },
    });
  });

  after(async function () {
    if (connection) {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      connection.dispose();
    }
  });

  it('publishes diagnostics, honouring the disabled rules setting', async function () {
    for (let i = 0; i < 200 && !diagnostics.some((d) => d.uri === URI); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const published = diagnostics.filter((d) => d.uri === URI).pop();
    assert.ok(published, 'no diagnostics published');
    const codes = published.diagnostics.map((d) => `${d.code}@${d.range.start.line}`);
    assert.ok(codes.includes('FromAsCasing@1'), codes.join(' '));
    assert.ok(!codes.some((c) => c.startsWith('NoDockerignore')), codes.join(' '));
  });

  it('explains a stage on hover', async function () {
    const hover = await connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: URI },
      position: positionOf('AS build', 4),
    });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /\*\*build\*\* — builds the application/);
    assert.match(value, /Used by: \*\*runner\*\*/);
  });

  it('goes from --from=build to the build stage', async function () {
    const result = await connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: URI },
      position: positionOf('--from=build', 9),
    });
    const location = (Array.isArray(result) ? result[0] : result) as Location;
    assert.strictEqual(location.uri, URI);
    assert.strictEqual(location.range.start.line, positionOf('AS build').line);
  });

  it('offers the FromAsCasing quick fix', async function () {
    const published = diagnostics.filter((d) => d.uri === URI).pop()!;
    const casing = published.diagnostics.filter((d) => d.code === 'FromAsCasing');
    const actions = (await connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI },
      range: casing[0].range,
      context: { diagnostics: casing },
    })) as CodeAction[];
    const fix = actions.find((a) => a.kind === 'quickfix' && a.isPreferred);
    assert.ok(fix, JSON.stringify(actions));
    const change = fix.edit!.documentChanges![0] as { edits: { newText: string }[] };
    assert.strictEqual(change.edits[0].newText, 'AS');
  });
});
