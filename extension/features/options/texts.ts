// The texts of the options page's shop domains section, in both UI languages.
import { createTranslator } from '../../platform/i18n/i18n.ts';

const en = {
  heading: 'Shop domains',
  help: 'Portrait shows customers on the WooCommerce order pages of these shops. Adding one asks your browser for access to that domain only.',
  domain: 'Shop address (for example shop.example.com)',
  add: 'Add shop',
  adding: 'Adding…',
  remove: 'Remove {origin}',
  none: 'No shops added yet.',
  invalid: '“{value}” is not the https address of a shop.',
  denied: 'Portrait may not read {origin} without your permission.',
  unavailable: 'Portrait cannot ask for access to {origin}: {message}',
  added: 'Added {origin}. Open or reload an order page there.',
  removed: 'Removed {origin}.',
  failed: 'That did not work: {message}',
} as const;

const zhCN = {
  heading: '店铺域名',
  help: 'Portrait 会在这些店铺的 WooCommerce 订单页面上显示客户。添加时，浏览器只会请求访问该域名的权限。',
  domain: '店铺地址（例如 shop.example.com）',
  add: '添加店铺',
  adding: '正在添加…',
  remove: '移除 {origin}',
  none: '还没有添加店铺。',
  invalid: '“{value}”不是店铺的 https 地址。',
  denied: '未经你的允许，Portrait 无法读取 {origin}。',
  unavailable: 'Portrait 无法请求访问 {origin}：{message}',
  added: '已添加 {origin}。请在该店铺打开或刷新订单页面。',
  removed: '已移除 {origin}。',
  failed: '操作失败：{message}',
} satisfies Record<keyof typeof en, string>;

export const dictionaries = { en, 'zh-CN': zhCN };

export const t = createTranslator<keyof typeof en>(dictionaries);
