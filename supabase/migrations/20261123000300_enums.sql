-- Closed sets used by the data model. Enums (rather than text with checks) make Studio offer a
-- dropdown and make a typo an error. Values are lowercase English words in code; each type's
-- comment gives the label shown in both UI languages. Values are listed in their natural order
-- (enums sort in declaration order), so `order by` on them reads sensibly.

create type public.member_role as enum ('admin', 'rep', 'staff');
comment on type public.member_role is
  'What a member may do in an organization: admin 管理员 (everything), rep 销售 (edits the customers they own), staff 运营/客服 (reads, tags, notes, adds leads).';

create type public.customer_kind as enum ('person', 'company');
comment on type public.customer_kind is
  'Whether a customer is a person 个人 or a company 公司.';

create type public.company_size as enum ('1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+');
comment on type public.company_size is
  'Head-count band of a company customer (公司规模), in employees.';

create type public.identity_kind as enum ('email', 'phone', 'shop_customer', 'shop_order', 'domain');
comment on type public.identity_kind is
  'Kinds of identifier the extension finds on a page: email 邮箱 (lowercased, trimmed), phone 电话 (E.164), shop_customer 店铺客户 (provider:id, e.g. shopify:123), shop_order 店铺订单 (provider:id, e.g. shopify:4711), domain 域名 (a company''s web or mail domain).';

create type public.order_source as enum ('shopify', 'woocommerce', 'manual', 'import');
comment on type public.order_source is
  'Where an order came from: shopify, woocommerce (webhooks), manual 手工录入 (typed in Studio), import 导入 (bulk load).';

create type public.order_status as enum ('paid', 'refunded', 'cancelled', 'pending');
comment on type public.order_status is
  'Order status: paid 已支付 (counts towards spend; a partial refund keeps it paid), refunded 已退款 (in full), cancelled 已取消, pending 待支付. Only paid orders count.';

create type public.event_kind as enum (
  'email_in', 'email_out', 'visit', 'cart', 'checkout', 'review', 'referral', 'support', 'call', 'meeting', 'captured', 'other'
);
comment on type public.event_kind is
  'Engagement events: email_in 来信, email_out 去信, visit 访问, cart 加购, checkout 结账, review 评价, referral 推荐, support 客服, call 电话, meeting 会面, captured 采集 (a member added this person from a page), other 其他.';

create type public.tag_category as enum ('demographic', 'preference', 'behaviour', 'value', 'custom');
comment on type public.tag_category is
  'Tag category: demographic 人口属性, preference 偏好, behaviour 行为, value 价值, custom 自定义.';

create type public.tag_source as enum ('manual', 'rule', 'import');
comment on type public.tag_source is
  'How a tag got onto a customer: manual 手动 (a person added it), rule 规则 (a segment rule added it), import 导入.';

create type public.lifecycle_stage as enum ('prospect', 'lead', 'new', 'active', 'loyal', 'at_risk', 'churned', 'reactivated');
comment on type public.lifecycle_stage is
  'Lifecycle stage (生命周期阶段): prospect 潜在客户, lead 意向客户, new 新客户, active 活跃客户, loyal 忠诚客户, at_risk 沉睡客户, churned 流失客户, reactivated 回流客户.';

create type public.value_tier as enum ('normal', 'vip', 'super');
comment on type public.value_tier is
  'Value tier (客户价值等级) by net spend among buyers: normal 普通, vip 贵宾 (top 10 %), super 超级 (top 1 %).';

create type public.ticket_band as enum ('high', 'low');
comment on type public.ticket_band is
  'Ticket band (高低客单): high 高客单 when average order value is at or above the organization''s median, else low 低客单. Buyers only.';

create type public.rfm_segment as enum (
  'champions', 'loyal', 'potential_loyalist', 'new_customer', 'promising', 'need_attention',
  'about_to_sleep', 'cant_lose', 'at_risk', 'lost', 'hibernating'
);
comment on type public.rfm_segment is
  'RFM segment from recency × frequency: champions 冠军客户, loyal 忠诚客户, potential_loyalist 潜力客户, new_customer 新客户, promising 有望客户, need_attention 需关注, about_to_sleep 将沉睡, cant_lose 不能流失, at_risk 有流失风险, lost 已流失, hibernating 休眠.';

create type public.stage_change_source as enum ('computed', 'manual');
comment on type public.stage_change_source is
  'Who moved a customer between lifecycle stages: computed 计算 (the engine) or manual 手动 (a member''s override).';

create type public.recompute_kind as enum ('full', 'dirty', 'drift');
comment on type public.recompute_kind is
  'Kind of engine run: full 全量 (everything, new cut points), dirty 增量 (customers queued as changed), drift 时间推移 (stages that change with the passing of time).';

create type public.shop_provider as enum ('shopify', 'woocommerce');
comment on type public.shop_provider is
  'Shop platforms that send order webhooks: shopify, woocommerce.';
