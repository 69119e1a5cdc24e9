// Every UI string goes through `t`, in English and Simplified Chinese. Each surface keeps its texts in
// one dictionary per language; the types make every dictionary complete, and
// tests/unit/i18n-dictionaries.test.ts checks the texts themselves (none empty, same placeholders).
const en = {
  'app.name': 'Portrait',
  'popup.apiUrl': 'API',
  'popup.status.checking': 'Checking connection…',
  'popup.status.online': 'Connected',
  'popup.status.offline': 'Offline: API not reachable',
  'popup.status.error': 'Connection state unknown',
  'options.heading': 'Portrait options',
  'options.apiUrl': 'Supabase API URL',
  // The popup and the options page.
  'popup.loading': 'Loading…',
  'popup.options': 'Options',
  'popup.signIn.heading': 'Sign in to your team',
  'popup.email': 'Email',
  'popup.password': 'Password',
  'popup.signIn': 'Sign in',
  'popup.signingIn': 'Signing in…',
  'popup.signIn.failed': 'Could not sign in: {message}',
  'popup.signOut': 'Sign out',
  'popup.signedInAs': 'Signed in as',
  'popup.org': 'Organization',
  'popup.org.none': 'You are not a member of any organization yet.',
  'popup.role.admin': 'Admin',
  'popup.role.rep': 'Sales rep',
  'popup.role.staff': 'Staff',
  'popup.sites': 'Show Portrait on',
  'popup.site.gmail': 'Gmail',
  'popup.site.outlook': 'Outlook',
  'popup.site.shopify': 'Shopify admin',
  'popup.site.woocommerce': 'WooCommerce admin',
  'popup.pending': 'Changes waiting to sync: {count}',
  'popup.invitations': 'Invitations',
  'popup.invitation': '{org} invites you as {role}',
  'popup.invitation.by': 'From {name} · until {date}',
  'popup.invitation.until': 'Until {date}',
  'popup.invitation.accept': 'Accept',
  'popup.invitation.decline': 'Decline',
  'popup.invitation.acceptLabel': 'Accept the invitation to {org}',
  'popup.invitation.declineLabel': 'Decline the invitation to {org}',
  'popup.followUps.overdue': 'Overdue',
  'popup.followUps.today': 'Due today',
  'popup.poolReturns': 'Returning to the pool',
  'popup.poolReturns.days': 'in {days} days',
  'popup.poolReturns.tomorrow': 'tomorrow',
  'popup.poolReturns.today': 'today',
  'popup.failed': 'Changes the server refused: {count}',
  'popup.notConfigured': 'Choose your Supabase project in the options first.',
  'popup.actionFailed': 'That did not work: {message}',
  'options.loading': 'Loading…',
  'options.api.heading': 'Supabase project',
  'options.api.default': 'The project Portrait was built for is in use.',
  'options.api.custom': 'A project chosen on this page is in use.',
  'options.anonKey': 'Anon key',
  'options.api.save': 'Check and save',
  'options.api.checking': 'Checking…',
  'options.api.reset': 'Use the built-in project',
  'options.api.saved': 'Saved. Supabase Auth answered with this key.',
  'options.api.savedSession': 'Saved. Signed in as {email}; the database answers.',
  'options.api.unreachable': 'No answer from this URL: {message}',
  'options.api.bad-key': 'The project refused this key.',
  'options.api.not-supabase': 'This URL does not look like a Supabase project.',
  'options.api.permissionDenied': 'Portrait may not reach {origin} without your permission.',
  'options.api.permissionUnavailable': 'Portrait cannot ask for access to {origin}: {message}',
  'options.people.heading': 'Never looked up',
  'options.people.help': 'Your own addresses and your team’s domains are never sent to the server for lookups.',
  'options.ownAddresses': 'Your own addresses, one per line',
  'options.internalDomains': 'Internal domains, one per line',
  'options.language': 'Language',
  'options.language.auto': 'Automatic (browser language)',
  'options.language.en': 'English',
  'options.language.zh-CN': '简体中文',
  'options.save': 'Save',
  'options.saved': 'Saved.',
  'options.failed': 'Could not save: {message}',
  'options.invalidAddress': '“{value}” is not an email address.',
  'options.invalidDomain': '“{value}” is not a domain name.',
} as const;

export type MessageKey = keyof typeof en;
export type Locale = 'en' | 'zh-CN';
export const locales: readonly Locale[] = ['en', 'zh-CN'];

/** One surface's texts: every key in every language (a missing text does not compile). */
export type Dictionaries<K extends string> = Record<Locale, Record<K, string>>;

// The popup and the options page, in the vocabulary of extension/README.md ("Vocabulary").
const zhCN: Record<MessageKey, string> = {
  'app.name': 'Portrait',
  'popup.apiUrl': 'API',
  'popup.status.checking': '正在检查连接…',
  'popup.status.online': '已连接',
  'popup.status.offline': '离线：无法连接 API',
  'popup.status.error': '连接状态未知',
  'options.heading': 'Portrait 选项',
  'options.apiUrl': 'Supabase API 地址',
  'popup.loading': '加载中…',
  'popup.options': '选项',
  'popup.signIn.heading': '登录你的团队',
  'popup.email': '邮箱',
  'popup.password': '密码',
  'popup.signIn': '登录',
  'popup.signingIn': '正在登录…',
  'popup.signIn.failed': '无法登录：{message}',
  'popup.signOut': '退出登录',
  'popup.signedInAs': '当前登录',
  'popup.org': '组织',
  'popup.org.none': '你还不是任何组织的成员。',
  'popup.role.admin': '管理员',
  'popup.role.rep': '销售',
  'popup.role.staff': '运营 / 客服',
  'popup.sites': '在以下网站显示 Portrait',
  'popup.site.gmail': 'Gmail',
  'popup.site.outlook': 'Outlook',
  'popup.site.shopify': 'Shopify 后台',
  'popup.site.woocommerce': 'WooCommerce 后台',
  'popup.pending': '等待同步的更改：{count}',
  'popup.invitations': '邀请',
  'popup.invitation': '{org} 邀请你担任{role}',
  'popup.invitation.by': '邀请人：{name} · 有效期至 {date}',
  'popup.invitation.until': '有效期至 {date}',
  'popup.invitation.accept': '接受',
  'popup.invitation.decline': '拒绝',
  'popup.invitation.acceptLabel': '接受加入 {org} 的邀请',
  'popup.invitation.declineLabel': '拒绝加入 {org} 的邀请',
  'popup.followUps.overdue': '已逾期',
  'popup.followUps.today': '今天到期',
  'popup.poolReturns': '即将退回公海',
  'popup.poolReturns.days': '{days} 天后',
  'popup.poolReturns.tomorrow': '明天',
  'popup.poolReturns.today': '今天',
  'popup.failed': '被服务器拒绝的更改：{count}',
  'popup.notConfigured': '请先在选项中选择你的 Supabase 项目。',
  'popup.actionFailed': '操作未成功：{message}',
  'options.loading': '加载中…',
  'options.api.heading': 'Supabase 项目',
  'options.api.default': '正在使用 Portrait 构建时指定的项目。',
  'options.api.custom': '正在使用在此页面选择的项目。',
  'options.anonKey': 'Anon key（匿名密钥）',
  'options.api.save': '检查并保存',
  'options.api.checking': '正在检查…',
  'options.api.reset': '使用内置项目',
  'options.api.saved': '已保存。Supabase Auth 已接受此密钥。',
  'options.api.savedSession': '已保存。已以 {email} 登录；数据库可以访问。',
  'options.api.unreachable': '此地址没有响应：{message}',
  'options.api.bad-key': '该项目拒绝了此密钥。',
  'options.api.not-supabase': '此地址看起来不是 Supabase 项目。',
  'options.api.permissionDenied': '未经你的许可，Portrait 无法访问 {origin}。',
  'options.api.permissionUnavailable': 'Portrait 无法请求访问 {origin} 的权限：{message}',
  'options.people.heading': '从不查询',
  'options.people.help': '你自己的邮箱地址和团队的域名永远不会发送到服务器进行查询。',
  'options.ownAddresses': '你自己的邮箱地址，每行一个',
  'options.internalDomains': '内部域名，每行一个',
  'options.language': '语言',
  'options.language.auto': '自动（跟随浏览器语言）',
  'options.language.en': 'English',
  'options.language.zh-CN': '简体中文',
  'options.save': '保存',
  'options.saved': '已保存。',
  'options.failed': '无法保存：{message}',
  'options.invalidAddress': '“{value}”不是有效的邮箱地址。',
  'options.invalidDomain': '“{value}”不是有效的域名。',
};

export const dictionaries = { en, 'zh-CN': zhCN } satisfies Dictionaries<MessageKey>;

let currentLocale: Locale = 'en';

export function setLocale(locale: Locale): void {
  currentLocale = locale;
}

/** The BCP 47 tag for Intl formatters (numbers, currencies, relative times). */
export function getLocale(): Locale {
  return currentLocale;
}

/**
 * The UI language for the language option: the explicit choice, or for `auto` the browser's UI
 * language (`browser.i18n.getUILanguage()`). Chinese written in simplified characters (zh,
 * zh-CN, zh-SG, zh-Hans-…) gets 简体中文; everything else, traditional Chinese included, English.
 */
export function resolveLocale(language: 'auto' | Locale, uiLanguage: string | null | undefined): Locale {
  if (language !== 'auto') return language;
  if (!uiLanguage) return 'en';
  let tag: Intl.Locale;
  try {
    tag = new Intl.Locale(uiLanguage.replace(/_/g, '-'));
  } catch {
    return 'en';
  }
  if (tag.language !== 'zh') return 'en';
  // zh-TW, zh-HK and zh-MO are written in traditional characters unless a script says otherwise.
  const script = tag.script ?? (tag.region && ['TW', 'HK', 'MO'].includes(tag.region) ? 'Hant' : 'Hans');
  return script === 'Hans' ? 'zh-CN' : 'en';
}

/** Replaces `{name}` placeholders with `values`, which are inserted as text. */
function interpolate(text: string, values?: Record<string, string | number>): string {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : match));
}

/** The text for `key`, with `{name}` placeholders replaced by `values` (inserted as text). */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return interpolate(dictionaries[currentLocale][key], values);
}

/**
 * A `t` over one surface's own dictionaries (its `messages.ts`), sharing the locale above. Every
 * language must have every key: a missing text is a type error.
 */
export function createTranslator<K extends string>(dictionaries: Dictionaries<K>) {
  const translate = (key: K, values?: Record<string, string | number>): string =>
    interpolate(dictionaries[currentLocale][key], values);
  /** True when `key` has a text (for keys built from data, such as an RFM segment code). */
  translate.has = (key: string): key is K => Object.hasOwn(dictionaries.en, key);
  return translate;
}

/**
 * A `t` for a content script, whose size is budgeted: its texts arrive from the background with the
 * page settings (`use`), English included, so no dictionary is bundled (`bundled` is for tests and
 * small scripts). For a key the current language lacks, the English text is shown, else the key.
 */
export function createPageTranslator<K extends string>(bundled: Partial<Record<K, string>> = {}) {
  const delivered: Partial<Record<Locale, Partial<Record<K, string>>>> = { en: { ...bundled } };
  const filtered = Object.keys(bundled).length > 0;
  const translate = (key: K, values?: Record<string, string | number>): string =>
    interpolate(delivered[currentLocale]?.[key] || delivered.en?.[key] || key, values);
  translate.has = (key: string): key is K =>
    Object.hasOwn(delivered[currentLocale] ?? {}, key) || Object.hasOwn(delivered.en ?? {}, key);
  /** Keeps the texts of `locale` from `messages` (text values only; with a bundle, its keys only). */
  translate.use = (locale: Locale, messages: unknown): void => {
    if (!messages || typeof messages !== 'object') return;
    const texts: Partial<Record<K, string>> = locale === 'en' ? { ...delivered.en } : {};
    for (const [key, text] of Object.entries(messages)) {
      if ((!filtered || Object.hasOwn(bundled, key)) && typeof text === 'string') texts[key as K] = text;
    }
    delivered[locale] = texts;
  };
  return translate;
}
