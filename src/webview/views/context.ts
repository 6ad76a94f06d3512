/** What every view gets: the state, a way to change it, the host, and the localized strings. */
import type { FileRef, StringKey } from '../../protocol/messages';
import type { Host } from '../host';
import type { Action, Section, ViewState } from '../state';
import { h } from '../dom';

export interface ViewContext {
  readonly host: Host;
  state(): ViewState;
  dispatch(a: Action): void;
  t(key: StringKey, ...args: string[]): string;
  open(ref: FileRef, side: boolean): void;
}

/**
 * A collapsible section: a header button (aria-expanded), then a toolbar of actions and the body
 * the view renders into (the toolbar survives re-renders of the body).
 */
export function section(ctx: ViewContext, id: Section, title: StringKey, actions: HTMLElement[] = []): { root: HTMLElement; body: HTMLElement; toggle: HTMLButtonElement } {
  const bodyId = `${id}-body`;
  const toggle = h('button', { class: 'section-toggle', 'aria-controls': bodyId, 'aria-expanded': 'true', type: 'button' }, ctx.t(title));
  toggle.addEventListener('click', () => ctx.dispatch({ type: 'toggle', section: id }));
  const body = h('div', { class: 'section-items' });
  const content = h('div', { class: 'section-body', id: bodyId }, actions.length ? h('div', { class: 'toolbar' }, ...actions) : null, body);
  const root = h('section', { id, 'data-testid': id, class: 'section', 'aria-label': ctx.t(title) }, h('header', { class: 'section-header' }, toggle), content);
  return { root, body, toggle };
}

export function syncCollapsed(s: ViewState, id: Section, parts: { root: HTMLElement; toggle: HTMLButtonElement }): void {
  const collapsed = !!s.collapsed[id];
  parts.root.classList.toggle('collapsed', collapsed);
  parts.toggle.setAttribute('aria-expanded', String(!collapsed));
}

export function actionButton(label: string, onClick: () => void, testid?: string): HTMLButtonElement {
  const b = h('button', { class: 'action', type: 'button', title: label, 'data-testid': testid }, label);
  b.addEventListener('click', onClick);
  return b;
}
