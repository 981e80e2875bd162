/**
 * The gallery's DOM: a grid of cards (thumbnail, facts, prompt, buttons), a title, a status line,
 * a search box and a "more" button for the library, and a lightbox for full size. It only draws
 * and reports clicks; what a click does is the controller's (controller.ts).
 *
 * No <form> submits anything: hosts' sandboxes need not allow forms, so buttons and the Enter key
 * are handled directly.
 */
import type { GalleryItem } from '../../src/apps/contract.js';
import { factsOf } from './data.js';

/** What the buttons of a card ask for. */
export interface CardActions {
  open(item: GalleryItem): void;
  edit(item: GalleryItem, change: string): void;
  moreLikeThis(item: GalleryItem): void;
  variants(item: GalleryItem): void;
  copyPath(item: GalleryItem, field: HTMLInputElement): void;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(node, rest);
  if (dataset) Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export class GalleryView {
  private readonly main = byId<HTMLElement>('gallery');
  private readonly title = byId<HTMLHeadingElement>('title');
  private readonly status = byId<HTMLParagraphElement>('status');
  private readonly grid = byId<HTMLUListElement>('grid');
  private readonly more = byId<HTMLButtonElement>('more');
  private readonly search = byId<HTMLElement>('search');
  private readonly query = byId<HTMLInputElement>('query');
  private readonly lightbox = byId<HTMLDialogElement>('lightbox');

  constructor(
    private readonly actions: CardActions,
    handlers: { search(query: string): void; more(): void },
  ) {
    const search = (): void => handlers.search(this.query.value.trim());
    byId<HTMLButtonElement>('search-button').addEventListener('click', search);
    this.query.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') search();
    });
    this.more.addEventListener('click', () => handlers.more());
    byId<HTMLButtonElement>('close').addEventListener('click', () => this.lightbox.close());
  }

  setTitle(text: string): void {
    this.title.textContent = text;
  }

  setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }

  /** Whether the page is waiting for the host (for assistive tech, and for tests to wait on). */
  setBusy(busy: boolean): void {
    this.main.setAttribute('aria-busy', String(busy));
  }

  showSearch(query: string): void {
    this.search.hidden = false;
    this.query.value = query;
  }

  showMore(visible: boolean): void {
    this.more.hidden = !visible;
  }

  replace(items: readonly GalleryItem[]): void {
    this.grid.replaceChildren(...items.map((item) => this.card(item, false)));
  }

  /** New images go first, marked, so the person sees what a button made. */
  prepend(items: readonly GalleryItem[]): void {
    this.grid.prepend(...items.map((item) => this.card(item, true)));
  }

  append(items: readonly GalleryItem[]): void {
    this.grid.append(...items.map((item) => this.card(item, false)));
  }

  /** How many images the grid shows. */
  count(): number {
    return this.grid.childElementCount;
  }

  showFull(src: string, caption: string): void {
    byId<HTMLImageElement>('full').src = src;
    byId<HTMLParagraphElement>('full-caption').textContent = caption;
    if (!this.lightbox.open) this.lightbox.showModal();
  }

  private card(item: GalleryItem, isNew: boolean): HTMLLIElement {
    const picture = item.thumbnail
      ? el('img', {
          src: `data:${item.thumbnail.mimeType};base64,${item.thumbnail.data}`,
          alt: item.prompt,
          width: 256,
          height: 256,
        })
      : el('span', { className: 'missing' }, 'no thumbnail');
    const thumb = el('button', { type: 'button', className: 'thumb', title: 'Open full size' }, picture);
    thumb.addEventListener('click', () => this.actions.open(item));

    const path = el('input', { className: 'path', readOnly: true, value: item.path, hidden: true });
    const editForm = this.editForm(item);
    const button = (label: string, action: () => void, enabled = true): HTMLButtonElement => {
      const node = el('button', { type: 'button', textContent: label, disabled: !enabled });
      node.addEventListener('click', action);
      return node;
    };
    const actions = el(
      'div',
      { className: 'actions' },
      button('Open', () => this.actions.open(item)),
      button('Edit this', () => {
        editForm.hidden = !editForm.hidden;
        if (!editForm.hidden) editForm.querySelector('textarea')?.focus();
      }),
      button('More like this', () => this.actions.moreLikeThis(item), item.moreLikeThis !== undefined),
      button('Variants', () => this.actions.variants(item), item.variants !== undefined),
      button('Copy path', () => this.actions.copyPath(item, path)),
    );
    return el(
      'li',
      { className: isNew ? 'card new' : 'card', dataset: { path: item.path } },
      thumb,
      el('div', { className: 'facts' }, factsOf(item)),
      el('p', { className: 'prompt', title: item.prompt }, item.prompt),
      actions,
      editForm,
      path,
    );
  }

  private editForm(item: GalleryItem): HTMLDivElement {
    const change = el('textarea', { placeholder: 'What should change? e.g. "make the sky stormy"', rows: 2 });
    const send = el('button', { type: 'button', textContent: 'Ask for this edit' });
    const form = el('div', { className: 'edit-form', hidden: true }, change, send);
    send.addEventListener('click', () => {
      const text = change.value.trim();
      if (!text) return change.focus();
      this.actions.edit(item, text);
      form.hidden = true;
      change.value = '';
    });
    return form;
  }
}
