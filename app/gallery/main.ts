/**
 * The gallery page's entry: connects to the host as an MCP App (ext-apps `App`: the ui/initialize
 * handshake over postMessage, size reports, host theme), then hands the call's arguments and
 * result to the controller. Handlers are set before connecting, so nothing the host sends right
 * after the handshake is missed.
 */
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables } from '@modelcontextprotocol/ext-apps';
import { GalleryController } from './controller.js';
import { hostOf } from './host.js';
import { GalleryView } from './view.js';

const app = new App({ name: 'flux-mcp gallery', version: '1.0.0' }, {}, { autoResize: true });
const controller = new GalleryController(hostOf(app));
const view = new GalleryView(controller, {
  search: (query) => void controller.search(query),
  more: () => void controller.more(),
});
controller.attach(view);

function applyContext(context: ReturnType<App['getHostContext']>): void {
  if (context?.theme) applyDocumentTheme(context.theme);
  if (context?.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context?.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

app.ontoolinput = ({ arguments: args }) => controller.toolInput(args ?? {});
app.ontoolresult = (result) => controller.toolResult(result, app.getHostContext()?.toolInfo?.tool.name);
app.ontoolcancelled = ({ reason }) => controller.toolCancelled(reason ?? '');
app.onhostcontextchanged = (context) => applyContext(context);

app
  .connect()
  .then(() => applyContext(app.getHostContext()))
  .catch((error: unknown) => view.setStatus(`Could not reach the host: ${(error as Error).message}`, true));
