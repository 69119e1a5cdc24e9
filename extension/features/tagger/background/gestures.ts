// The user gestures that open the tagging dialog: the context-menu item (on a selection, or on a
// mailto:/tel: link) and the keyboard shortcut (the `tag-customer` command in the manifest). Both
// give the extension the tab for that moment (activeTab), which is what lets it inject the dialog.
import { dictionaries } from '../texts.ts';
import type { Locale } from '../../../platform/i18n/i18n.ts';
import type { Language } from '../../../platform/messaging/schemas.ts';
import type { TaggerGesture } from './tagger.ts';

export const tagCommand = 'tag-customer';
export const menuItems = { selection: 'portrait-tag-selection', link: 'portrait-tag-link' } as const;
/** Links the menu item appears on; other links only get it through a selection. */
export const linkPatterns = ['mailto:*', 'tel:*'];

/** The fields of `contextMenus.OnClickData` and `tabs.Tab` read here. */
export interface MenuClick {
  menuItemId: string | number;
  frameId?: number;
  selectionText?: string;
  linkUrl?: string;
}
export interface GestureTab {
  id?: number;
}

export function menuGesture(info: MenuClick, tab: GestureTab | undefined): TaggerGesture | null {
  if (info.menuItemId !== menuItems.selection && info.menuItemId !== menuItems.link) return null;
  if (typeof tab?.id !== 'number' || tab.id < 0) return null;
  const linkUrl = info.menuItemId === menuItems.link && info.linkUrl && /^(mailto|tel):/i.test(info.linkUrl) ? info.linkUrl : null;
  return { tabId: tab.id, frameId: info.frameId ?? 0, selectionText: info.selectionText ?? null, linkUrl };
}

export function commandGesture(command: string, tab: GestureTab | undefined): TaggerGesture | null {
  if (command !== tagCommand || typeof tab?.id !== 'number' || tab.id < 0) return null;
  return { tabId: tab.id, frameId: 0, selectionText: null, linkUrl: null };
}

/** The UI language for texts the background shows (the menu): the setting, or the browser's. */
export function uiLocale(language: Language, browserLanguage: string): Locale {
  if (language !== 'auto') return language;
  return browserLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export interface MenusApi {
  removeAll(): Promise<void>;
  create(properties: { id: string; title: string; contexts: ['selection' | 'link']; targetUrlPatterns?: string[] }): unknown;
}

/** (Re)creates the menu items in the given locale. */
export async function createTaggerMenus(menus: MenusApi, locale: Locale): Promise<void> {
  const title = dictionaries[locale]['menu.tag'];
  await menus.removeAll();
  menus.create({ id: menuItems.selection, title, contexts: ['selection'] });
  menus.create({ id: menuItems.link, title, contexts: ['link'], targetUrlPatterns: linkPatterns });
}
