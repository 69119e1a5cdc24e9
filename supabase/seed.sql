-- Portrait demo data: two shops with three years of customers, orders, events, tags and notes.
--
-- Demo logins (all verified, all with the same password)
--   Demo password: portrait-demo
--
--   organization                                   admin                  rep                  staff
--   Lotus Tea Co.        (CNY, phone region CN)    admin@lotus.test       rep@lotus.test       staff@lotus.test
--   Northwind Outfitters (USD, phone region US)    admin@northwind.test   rep@northwind.test   staff@northwind.test
--   demo@portrait.test is a member of both: admin of Lotus Tea Co., rep at Northwind Outfitters.
--
-- Customers with known histories (both organizations have all three; the stage is what the
-- engine computes with the default settings):
--
--   email                        Lotus Tea Co.                             Northwind Outfitters
--   li.wei@example.com           "Li Wei", loyal: 8 paid orders (and a    "Li Wei", reactivated: an order 560
--                                refund), the latest 12 days ago; tags    days ago, the next 25 days ago; tag
--                                VIP, 乌龙茶爱好者, 企业礼品                Camper
--   maria.garcia@example.com     "Maria Garcia", new: one order 10 days   "Maria Garcia", at_risk: 3 orders, the
--                                ago; tags 海外客户, 节日送礼               latest 120 days ago; tags Hiker,
--                                                                          Newsletter
--   hostile.markup@example.com   named <img src=x onerror=alert(1)>, with a note and a tag made of markup
--                                (a lead: no orders, an email 5 days ago). Page text must render as text.
--
-- Shop admin pages that show them (the extension reads the ids in the URL; see extension/sites/):
--   Northwind Outfitters sells on Shopify (admin.shopify.com/store/northwind-outfitters) and to
--   trade customers through a WooCommerce shop (wholesale.northwind-outfitters.example); Lotus Tea
--   Co. sells on WooCommerce (shop.lotustea.example) and abroad through a Shopify store
--   (admin.shopify.com/store/lotus-tea-intl).
--     Northwind  Li Wei        Shopify orders/5499000004, 5499000005 · customers/9001
--                              WooCommerce post.php?post=30001 (pending, trade order) · customer 9001
--     Northwind  Maria Garcia  Shopify orders/5499000001 … 5499000003 · customers/9002
--     Lotus      Li Wei        WooCommerce post.php?post=9701 … 9708 · customer (user) 9001
--     Lotus      Maria Garcia  WooCommerce post.php?post=9709 · customer 9002
--                              Shopify orders/6100000001 (pending) · customers/7300009002
--   Pending orders do not count in the statistics, so they change no stage.
--
-- Everything else is generated: about 2,000 customers per organization (Chinese and English names
-- for Lotus, English names for Northwind; people and companies), with emails on example domains,
-- phone numbers from fictional or sample ranges that are valid in the organization's region
-- (written the ways people write them and normalised to E.164 by the private.normalize_*
-- functions through the customer triggers), about 80 % of them buyers over the last three years
-- (≈ 60 % of buyers order once, a few order dozens of times, some orders are refunded, cancelled
-- or pending), engagement events, tags with provenance (who, when, on which page) and notes.
--
-- Deterministic: every value comes from md5 of a fixed key (pg_temp.seed_u below), never from
-- random() (the one exception is the salt of the password hash, which bcrypt draws itself). Time:
-- every timestamp is "today 00:00 UTC" minus a fixed offset, so the data looks fresh whenever it
-- is loaded (the latest orders are days old, not years) and two loads on the same day are
-- identical; loads on different days differ only by the shift of the whole timeline.
--
-- A handful of rule segments per organization (value, region, tags, win-back). A full run of the
-- segment engine per organization at the end computes every portrait and segment membership, and
-- the stage snapshots of the whole three years are rebuilt from the order history.
--
-- Runs as the database owner (`supabase db reset`, `supabase db push --include-seed`, or the local
-- stack on a new database) and uses only what a Supabase project provides (auth.users,
-- auth.identities, extensions.crypt). It takes several seconds, most of them in the triggers that
-- keep identities and portraits current as rows arrive.

-- ------------------------------------------------------------------------------------------------
-- Helpers (session-local, dropped at the end)

-- A number in [0, 1) from a key: the deterministic stand-in for random().
create function pg_temp.seed_u(key text) returns double precision
language sql immutable parallel safe
as $$ select ('x' || substr(md5(key), 1, 13))::bit(52)::bigint / 4503599627370496.0 $$;

-- A stable id from a key, shaped as a version-4 UUID (version nibble 4, RFC 4122 variant) so that
-- clients which validate UUIDs strictly (the extension's zod schemas) accept the demo rows.
create function pg_temp.seed_id(key text) returns uuid
language sql immutable parallel safe
as $$
  select (substr(h, 1, 12) || '4' || substr(h, 14, 3)
          || substr('89ab', 1 + ('x' || substr(h, 17, 1))::bit(4)::integer % 4, 1) || substr(h, 18))::uuid
    from (select md5('portrait-demo:' || key) as h) as m
$$;

-- An element of an array chosen by a number in [0, 1).
create function pg_temp.seed_pick(items text[], u double precision) returns text
language sql immutable parallel safe
as $$ select items[1 + floor(u * cardinality(items))::integer] $$;

-- Bulk load: classification waits for the full engine run at the end. JIT compilation costs more
-- than it saves on these one-off statements.
select set_config('portrait.defer_classification', 'on', false), set_config('jit', 'off', false);

create temp table seed_clock as
select date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' as anchor;

-- ------------------------------------------------------------------------------------------------
-- Organizations, users, members

create temp table seed_org (
  key text primary key,
  id uuid not null,
  name text not null,
  settings jsonb not null,
  admin_id uuid not null,
  rep_id uuid not null,
  staff_id uuid not null,
  provider text not null,
  admin_url text not null
);

insert into seed_org values
  ('lotus', '10000000-0000-4000-8000-000000000000', 'Lotus Tea Co.',
   '{"currency": "CNY", "default_phone_region": "CN", "internal_email_domains": ["lotus.test", "lotustea.example"]}',
   '10000000-0000-4000-8000-0000000000a1', '10000000-0000-4000-8000-0000000000b1', '10000000-0000-4000-8000-0000000000c1',
   'woocommerce', 'https://shop.lotustea.example/wp-admin'),
  ('northwind', '20000000-0000-4000-8000-000000000000', 'Northwind Outfitters',
   '{"currency": "USD", "default_phone_region": "US", "internal_email_domains": ["northwind.test", "northwind-outfitters.example"]}',
   '20000000-0000-4000-8000-0000000000a1', '20000000-0000-4000-8000-0000000000b1', '20000000-0000-4000-8000-0000000000c1',
   'shopify', 'https://admin.shopify.com/store/northwind-outfitters');

create temp table seed_user (id uuid primary key, email text not null, full_name text not null);
insert into seed_user values
  ('10000000-0000-4000-8000-0000000000a1', 'admin@lotus.test', '林涛 Lin Tao'),
  ('10000000-0000-4000-8000-0000000000b1', 'rep@lotus.test', '陈静 Chen Jing'),
  ('10000000-0000-4000-8000-0000000000c1', 'staff@lotus.test', '王磊 Wang Lei'),
  ('20000000-0000-4000-8000-0000000000a1', 'admin@northwind.test', 'Alex Morgan'),
  ('20000000-0000-4000-8000-0000000000b1', 'rep@northwind.test', 'Jordan Lee'),
  ('20000000-0000-4000-8000-0000000000c1', 'staff@northwind.test', 'Sam Rivera'),
  ('30000000-0000-4000-8000-0000000000d1', 'demo@portrait.test', 'Demo User');

-- GoTrue-compatible accounts: bcrypt (cost 10) password, confirmed email, the email provider, and
-- the token columns GoTrue reads as strings set to ''. One hash serves every demo account (bcrypt
-- is slow on purpose, and these accounts share their password anyway).
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       h.hash, k.anchor - interval '400 days',
       '', '', '', '',
       '{"provider": "email", "providers": ["email"]}', jsonb_build_object('full_name', u.full_name),
       k.anchor - interval '400 days', k.anchor - interval '400 days'
  from seed_user u
  cross join seed_clock k
  cross join (select extensions.crypt('portrait-demo', extensions.gen_salt('bf', 10)) as hash) as h;

insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', k.anchor - interval '400 days', k.anchor - interval '400 days'
  from seed_user u cross join seed_clock k;

insert into public.organizations (id, name, settings, created_at, updated_at)
select o.id, o.name, o.settings, k.anchor - interval '1200 days', k.anchor - interval '1200 days'
  from seed_org o cross join seed_clock k;

insert into public.members (org_id, user_id, role, display_name, created_at)
select o.id, m.user_id, m.role::public.member_role, u.full_name, k.anchor - interval '400 days'
  from seed_org o
  cross join seed_clock k
  cross join lateral (values (o.admin_id, 'admin'), (o.rep_id, 'rep'), (o.staff_id, 'staff'),
                             ('30000000-0000-4000-8000-0000000000d1'::uuid, case o.key when 'lotus' then 'admin' else 'rep' end)) as m (user_id, role)
  join seed_user u on u.id = m.user_id;

-- ------------------------------------------------------------------------------------------------
-- Generated customers: one row per customer with everything the later steps derive from

create temp table seed_customer (
  org_key text not null,
  n integer not null,
  id uuid not null,
  kind public.customer_kind not null,
  display_name text not null,
  email_local text,
  email_domain text,
  email text,
  phone text,
  country text not null,
  region text,
  city text,
  industry text,
  company_size public.company_size,
  source text,
  owner text,
  is_partner boolean not null,
  invalid_reason text,
  created_ago integer,
  order_count integer not null,
  first_ago integer,
  last_ago integer,
  gap_ago integer,
  ticket numeric not null,
  referred_n integer,
  company_n integer,
  primary key (org_key, n)
);

-- Lotus Tea Co.: tea lovers and corporate gift buyers, mostly in mainland China.
insert into seed_customer (org_key, n, id, kind, display_name, email_local, email_domain, country, region, city,
                           industry, company_size, source, owner, is_partner, invalid_reason, order_count, ticket)
select 'lotus', g.n, pg_temp.seed_id('lotus:customer:' || g.n),
       case when u.kind < 0.05 then 'company' else 'person' end::public.customer_kind,
       case
         when u.kind < 0.05 then p.co_city[1 + floor(u.a * 8)::int] || p.co_core_zh[1 + floor(u.b * 12)::int] || p.co_type_zh[1 + floor(u.c * 6)::int]
         when u.lang < 0.68 then p.sur_zh[1 + floor(u.a * 25)::int] || p.giv_zh[1 + floor(u.b * 35)::int]
         when u.lang < 0.78 then initcap(p.sur_py[1 + floor(u.a * 25)::int]) || ' ' || initcap(p.giv_py[1 + floor(u.b * 35)::int])
         else p.en_first[1 + floor(u.a * 20)::int] || ' ' || p.en_last[1 + floor(u.b * 16)::int]
       end,
       case
         when u.kind < 0.05 then pg_temp.seed_pick(array['purchasing', 'admin', 'office', 'hr', 'events'], u.c)
         when u.lang < 0.78 then
           case
             when u.style < 0.30 then p.giv_py[1 + floor(u.b * 35)::int] || '.' || p.sur_py[1 + floor(u.a * 25)::int]
             when u.style < 0.55 then p.sur_py[1 + floor(u.a * 25)::int] || p.giv_py[1 + floor(u.b * 35)::int] || lpad((g.n % 100)::text, 2, '0')
             when u.style < 0.75 then p.sur_py[1 + floor(u.a * 25)::int] || '.' || p.giv_py[1 + floor(u.b * 35)::int]
             when u.style < 0.92 then p.sur_py[1 + floor(u.a * 25)::int] || '_' || p.giv_py[1 + floor(u.b * 35)::int] || (1965 + g.n % 40)
             else p.giv_py[1 + floor(u.b * 35)::int] || p.sur_py[1 + floor(u.a * 25)::int] || '+tea'
           end
         else lower(p.en_first[1 + floor(u.a * 20)::int]) || case when u.style < 0.6 then '.' else '' end || lower(p.en_last[1 + floor(u.b * 16)::int])
       end,
       case
         when u.kind < 0.05 then p.co_core_py[1 + floor(u.b * 12)::int] || '-' || p.co_type_en[1 + floor(u.c * 6)::int] || '.example'
         else pg_temp.seed_pick(array['example.com', 'example.net', 'example.org', 'mail.example.com', 'post.example.net', 'inbox.example.org'], u.domain)
       end,
       x.country, x.region, x.city,
       case when u.kind < 0.05 or u.industry < 0.35
            then pg_temp.seed_pick(array['科技', '金融', '教育', '餐饮', '酒店', '零售', '制造', '医疗', '文化传媒', '房地产', '政府机关'], u.industry / 0.35 - floor(u.industry / 0.35)) end,
       case when u.kind < 0.05 then pg_temp.seed_pick(array['11-50', '51-200', '51-200', '201-500', '501-1000', '1001-5000'], u.c)::public.company_size end,
       pg_temp.seed_pick(array['天猫旗舰店', '天猫旗舰店', '小红书', '微信公众号', '微信公众号', '官网', '线下门店', '朋友推荐', '茶博会', '抖音'], u.source),
       case when u.owner < 0.45 then 'rep' when u.owner < 0.55 then 'admin' end,
       u.partner < 0.01,
       case when u.valid < 0.02 then pg_temp.seed_pick(array['邮件退信 (bounced email)', '重复客户 (duplicate)', '测试账号 (test account)'], u.valid * 50) end,
       o.order_count,
       round((88 * exp(1.9 * u.ticket) * case when u.kind < 0.05 then 6 else 1 end)::numeric, 0)
  from generate_series(1, 2000) as g (n)
  cross join (
    select array['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐'] as sur_zh,
           array['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang'] as sur_py,
           array['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '晓明', '婷', '雪', '浩', '宇', '欣怡', '子涵', '梓萱', '思远', '嘉怡', '俊杰', '雨桐', '一鸣'] as giv_zh,
           array['wei', 'fang', 'na', 'min', 'jing', 'li', 'qiang', 'lei', 'jun', 'yang', 'yong', 'yan', 'jie', 'juan', 'tao', 'ming', 'chao', 'xiuying', 'xia', 'ping', 'gang', 'guiying', 'xiaoming', 'ting', 'xue', 'hao', 'yu', 'xinyi', 'zihan', 'zixuan', 'siyuan', 'jiayi', 'junjie', 'yutong', 'yiming'] as giv_py,
           array['Emily', 'David', 'Sophie', 'Michael', 'Grace', 'Kevin', 'Jessica', 'Daniel', 'Vivian', 'Eric', 'Cindy', 'Jason', 'Amy', 'Henry', 'Olivia', 'Tony', 'Iris', 'Leo', 'Chloe', 'Ryan'] as en_first,
           array['Chen', 'Wong', 'Lin', 'Lee', 'Tan', 'Ng', 'Liu', 'Cheung', 'Huang', 'Smith', 'Brown', 'Taylor', 'Miller', 'Tanaka', 'Kim', 'Nguyen'] as en_last,
           array['杭州', '上海', '北京', '深圳', '苏州', '广州', '成都', '厦门'] as co_city,
           array['云栖', '明远', '瑞丰', '华茂', '锦程', '嘉禾', '恒信', '卓越', '天合', '润和', '博雅', '清源'] as co_core_zh,
           array['yunqi', 'mingyuan', 'ruifeng', 'huamao', 'jincheng', 'jiahe', 'hengxin', 'zhuoyue', 'tianhe', 'runhe', 'boya', 'qingyuan'] as co_core_py,
           array['科技有限公司', '贸易有限公司', '文化传媒有限公司', '餐饮管理有限公司', '酒店管理有限公司', '茶业有限公司'] as co_type_zh,
           array['tech', 'trading', 'media', 'catering', 'hotels', 'tea'] as co_type_en
  ) as p
  cross join lateral (
    select pg_temp.seed_u('lotus:' || g.n || ':kind') as kind, pg_temp.seed_u('lotus:' || g.n || ':lang') as lang,
           pg_temp.seed_u('lotus:' || g.n || ':a') as a, pg_temp.seed_u('lotus:' || g.n || ':b') as b,
           pg_temp.seed_u('lotus:' || g.n || ':c') as c, pg_temp.seed_u('lotus:' || g.n || ':style') as style,
           pg_temp.seed_u('lotus:' || g.n || ':domain') as domain, pg_temp.seed_u('lotus:' || g.n || ':country') as country,
           pg_temp.seed_u('lotus:' || g.n || ':city') as city, pg_temp.seed_u('lotus:' || g.n || ':industry') as industry,
           pg_temp.seed_u('lotus:' || g.n || ':source') as source, pg_temp.seed_u('lotus:' || g.n || ':owner') as owner,
           pg_temp.seed_u('lotus:' || g.n || ':partner') as partner, pg_temp.seed_u('lotus:' || g.n || ':valid') as valid,
           pg_temp.seed_u('lotus:' || g.n || ':orders') as orders, pg_temp.seed_u('lotus:' || g.n || ':many') as many,
           pg_temp.seed_u('lotus:' || g.n || ':ticket') as ticket
  ) as u
  cross join lateral (
    select c.country, c.region, c.city
      from (values
        (0.85, 'CN', null, null), (0.88, 'HK', 'Hong Kong', 'Hong Kong'), (0.90, 'TW', 'Taiwan', 'Taipei'),
        (0.93, 'SG', 'Singapore', 'Singapore'), (0.96, 'US', 'California', 'San Francisco'),
        (0.98, 'GB', 'England', 'London'), (0.99, 'AU', 'New South Wales', 'Sydney'), (1.01, 'JP', 'Tokyo', 'Tokyo')
      ) as c (upto, country, region, city)
     where u.country < c.upto
     order by c.upto
     limit 1
  ) as c0
  cross join lateral (
    select c0.country,
           coalesce(c0.region, (array['上海', '北京', '浙江', '广东', '广东', '四川', '江苏', '江苏', '福建', '福建', '湖北', '陕西', '重庆', '湖南', '山东'])[1 + floor(u.city * 15)::int]) as region,
           coalesce(c0.city, (array['上海', '北京', '杭州', '广州', '深圳', '成都', '苏州', '南京', '厦门', '福州', '武汉', '西安', '重庆', '长沙', '青岛'])[1 + floor(u.city * 15)::int]) as city
  ) as x
  cross join lateral (
    select case
             when u.orders >= case when u.kind < 0.05 then 0.85 else 0.80 end then 0
             when u.many < 0.60 then 1
             when u.many < 0.80 then 2
             when u.many < 0.88 then 3
             when u.many < 0.95 then 4 + floor((u.many - 0.88) / 0.07 * 3)::int
             when u.many < 0.99 then 7 + floor((u.many - 0.95) / 0.04 * 9)::int
             else 16 + floor((u.many - 0.99) / 0.01 * 45)::int
           end as order_count
  ) as o;

-- Northwind Outfitters: hikers, campers and climbing clubs, mostly in the United States.
insert into seed_customer (org_key, n, id, kind, display_name, email_local, email_domain, country, region, city,
                           industry, company_size, source, owner, is_partner, invalid_reason, order_count, ticket)
select 'northwind', g.n, pg_temp.seed_id('northwind:customer:' || g.n),
       case when u.kind < 0.06 then 'company' else 'person' end::public.customer_kind,
       case
         when u.kind < 0.06 then p.co_core[1 + floor(u.a * 15)::int] || ' ' || p.co_type[1 + floor(u.b * 9)::int]
         else p.first[1 + floor(u.a * 48)::int] || ' ' || p.last[1 + floor(u.b * 48)::int]
       end,
       case
         when u.kind < 0.06 then pg_temp.seed_pick(array['orders', 'gear', 'office', 'info', 'purchasing'], u.c)
         when u.style < 0.45 then lower(p.first[1 + floor(u.a * 48)::int]) || '.' || lower(p.last[1 + floor(u.b * 48)::int])
         when u.style < 0.65 then lower(left(p.first[1 + floor(u.a * 48)::int], 1)) || lower(p.last[1 + floor(u.b * 48)::int])
         when u.style < 0.85 then lower(p.first[1 + floor(u.a * 48)::int]) || lower(p.last[1 + floor(u.b * 48)::int]) || (g.n % 90 + 10)
         when u.style < 0.93 then lower(p.first[1 + floor(u.a * 48)::int]) || '_' || lower(p.last[1 + floor(u.b * 48)::int])
         else lower(p.first[1 + floor(u.a * 48)::int]) || '.' || lower(p.last[1 + floor(u.b * 48)::int]) || '+gear'
       end,
       case
         when u.kind < 0.06 then lower(replace(p.co_core[1 + floor(u.a * 15)::int], ' ', '')) || '-'
                                 || lower(regexp_replace(p.co_type[1 + floor(u.b * 9)::int], '[^A-Za-z]', '', 'g')) || '.example'
         else pg_temp.seed_pick(array['example.com', 'example.com', 'example.net', 'example.org', 'mail.example.com', 'trailmail.example'], u.domain)
       end,
       c0.country, c0.region, c0.city,
       case when u.kind < 0.06 or u.industry < 0.30
            then pg_temp.seed_pick(array['Outdoor education', 'Retail', 'Tourism', 'Healthcare', 'Technology', 'Government', 'Non-profit', 'Construction', 'Hospitality', 'Finance'], u.industry / 0.30 - floor(u.industry / 0.30)) end,
       case when u.kind < 0.06 then pg_temp.seed_pick(array['1-10', '1-10', '11-50', '11-50', '51-200', '201-500'], u.c)::public.company_size end,
       pg_temp.seed_pick(array['Organic search', 'Organic search', 'Google Ads', 'Instagram', 'Referral', 'Newsletter', 'Trade show', 'Retail partner', 'Podcast ad'], u.source),
       case when u.owner < 0.45 then 'rep' when u.owner < 0.55 then 'admin' end,
       u.partner < 0.01,
       case when u.valid < 0.02 then pg_temp.seed_pick(array['Bounced email', 'Duplicate of another customer', 'Test account'], u.valid * 50) end,
       o.order_count,
       round((30 * exp(2.3 * u.ticket) * case when u.kind < 0.06 then 5 else 1 end)::numeric, 0)
  from generate_series(1, 2000) as g (n)
  cross join (
    select array['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
                 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Karen', 'Chris', 'Sarah', 'Daniel', 'Lisa', 'Matthew', 'Nancy',
                 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Steven', 'Emily', 'Andrew', 'Megan', 'Joshua', 'Rachel', 'Kevin', 'Laura',
                 'Brian', 'Hannah', 'Tyler', 'Olivia', 'Noah', 'Emma', 'Ethan', 'Ava', 'Lucas', 'Mia', 'Mason', 'Zoe'] as first,
           array['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Ortiz', 'Moore',
                 'Jackson', 'Martin', 'Hughes', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
                 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Turner', 'Phillips',
                 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Reed', 'Bennett'] as last,
           array['Summit', 'Cascade', 'Ridgeline', 'Timberline', 'Alpine', 'Redwood', 'Granite Peak', 'Blue Ridge', 'Evergreen', 'Northstar',
                 'Trailhead', 'Basecamp', 'Pinecrest', 'Glacier', 'Canyon'] as co_core,
           array['Guides', 'Outfitters', 'Adventure Co.', 'Ski School', 'Mountain Rescue', 'Expeditions', 'Climbing Gym', 'Lodge', 'Scouts'] as co_type
  ) as p
  cross join lateral (
    select pg_temp.seed_u('northwind:' || g.n || ':kind') as kind, pg_temp.seed_u('northwind:' || g.n || ':a') as a,
           pg_temp.seed_u('northwind:' || g.n || ':b') as b, pg_temp.seed_u('northwind:' || g.n || ':c') as c,
           pg_temp.seed_u('northwind:' || g.n || ':style') as style, pg_temp.seed_u('northwind:' || g.n || ':domain') as domain,
           pg_temp.seed_u('northwind:' || g.n || ':country') as country, pg_temp.seed_u('northwind:' || g.n || ':city') as city,
           pg_temp.seed_u('northwind:' || g.n || ':industry') as industry, pg_temp.seed_u('northwind:' || g.n || ':source') as source,
           pg_temp.seed_u('northwind:' || g.n || ':owner') as owner, pg_temp.seed_u('northwind:' || g.n || ':partner') as partner,
           pg_temp.seed_u('northwind:' || g.n || ':valid') as valid, pg_temp.seed_u('northwind:' || g.n || ':orders') as orders,
           pg_temp.seed_u('northwind:' || g.n || ':many') as many, pg_temp.seed_u('northwind:' || g.n || ':ticket') as ticket
  ) as u
  cross join lateral (
    -- US customers live where their phone's area code is (see the phone numbers below).
    select c.country,
           coalesce(c.region, (array['Washington', 'Oregon', 'Colorado', 'Colorado', 'Utah', 'California', 'California', 'Oregon', 'Idaho', 'Montana',
                                     'Texas', 'Illinois', 'Minnesota', 'Vermont', 'North Carolina', 'Massachusetts', 'New York', 'Arizona', 'Alaska', 'Wyoming'])[1 + ((g.n - 1) / 100) % 20]) as region,
           coalesce(c.city, (array['Seattle', 'Portland', 'Denver', 'Boulder', 'Salt Lake City', 'San Francisco', 'Los Angeles', 'Bend', 'Boise', 'Missoula',
                                   'Austin', 'Chicago', 'Minneapolis', 'Burlington', 'Asheville', 'Boston', 'New York', 'Phoenix', 'Anchorage', 'Jackson'])[1 + ((g.n - 1) / 100) % 20]) as city
      from (values
        (0.80, 'US', null, null), (0.83, 'CA', 'British Columbia', 'Vancouver'), (0.86, 'CA', 'Ontario', 'Toronto'),
        (0.92, 'GB', 'England', 'London'), (0.96, 'AU', 'New South Wales', 'Sydney'), (1.01, 'DE', 'Bavaria', 'Munich')
      ) as c (upto, country, region, city)
     where u.country < c.upto
     order by c.upto
     limit 1
  ) as c0
  cross join lateral (
    select case
             when u.orders >= case when u.kind < 0.06 then 0.85 else 0.80 end then 0
             when u.many < 0.60 then 1
             when u.many < 0.80 then 2
             when u.many < 0.88 then 3
             when u.many < 0.95 then 4 + floor((u.many - 0.88) / 0.07 * 3)::int
             when u.many < 0.99 then 7 + floor((u.many - 0.95) / 0.04 * 9)::int
             else 16 + floor((u.many - 0.99) / 0.01 * 45)::int
           end as order_count
  ) as o;

-- Order timeline per customer, in days before today. Acquisitions lean towards recent months.
-- Repeat buyers order at their own cadence (every 15 to 155 days): 45 % are still buying (the
-- latest order within 75 days), 45 % stopped after their run of orders, and 10 % came back after
-- a pause of more than half a year (gap_ago: the order before the pause).
update seed_customer c set
  first_ago = t.first_ago,
  last_ago = t.last_ago,
  gap_ago = t.gap_ago,
  created_ago = case
    when c.order_count > 0 then t.first_ago + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':created') * 45)::int
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':lead') < 0.45 then floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':created') * 80)::int
    else 90 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':created') * 900)::int
  end
from (
  select c2.org_key, c2.n,
         case
           when c2.order_count > 1 and r.pattern = 'active' then least(f.acquired_ago, r.recent_ago + (c2.order_count - 1) * r.cadence)
           else f.acquired_ago
         end as first_ago,
         case
           when c2.order_count = 1 then f.acquired_ago
           when r.pattern in ('active', 'back') then least(f.acquired_ago, r.recent_ago)
           else greatest(0, f.acquired_ago - (c2.order_count - 1) * r.cadence)
         end as last_ago,
         case when c2.order_count > 1 and r.pattern = 'back' then r.recent_ago + r.pause end as gap_ago
    from seed_customer c2
    cross join lateral (
      select floor(1095 * power(pg_temp.seed_u(c2.org_key || ':' || c2.n || ':first'), 1.1))::int as acquired_ago
    ) as f
    cross join lateral (
      select floor(pg_temp.seed_u(c2.org_key || ':' || c2.n || ':recent') * 75)::int as recent_ago,
             15 + floor(pg_temp.seed_u(c2.org_key || ':' || c2.n || ':cadence') * 140)::int as cadence,
             190 + floor(pg_temp.seed_u(c2.org_key || ':' || c2.n || ':gap') * 200)::int as pause,
             pg_temp.seed_u(c2.org_key || ':' || c2.n || ':pattern') as u
    ) as p
    cross join lateral (
      select p.recent_ago, p.cadence, p.pause,
             case
               when p.u < 0.45 then 'active'
               when p.u < 0.55 and f.acquired_ago > p.recent_ago + p.pause then 'back'
               else 'lapsed'
             end as pattern
    ) as r
   where c2.order_count > 0
   union all
  select c3.org_key, c3.n, null, null, null from seed_customer c3 where c3.order_count = 0
) as t
where t.org_key = c.org_key and t.n = c.n;

-- Emails: unique per organization (a repeated address gets the customer number appended to its
-- local part); the demo customers' addresses are kept for them.
update seed_customer c set
  email = case
    when d.rn > 1 or c.email_local || '@' || c.email_domain in ('li.wei@example.com', 'maria.garcia@example.com', 'hostile.markup@example.com')
      then c.email_local || '.' || c.n || '@' || c.email_domain
    else c.email_local || '@' || c.email_domain
  end
from (
  select org_key, n, row_number() over (partition by org_key, email_local, email_domain order by n) as rn
    from seed_customer
) as d
where d.org_key = c.org_key and d.n = c.n
  and pg_temp.seed_u(c.org_key || ':' || c.n || ':has-email') < 0.93;

-- Phone numbers, written as people type them. Lotus: mainland mobiles (a bijection of the
-- customer number keeps them unique), London and San Francisco sample ranges abroad. Northwind:
-- the fictional 555-0100…0199 lines, one block of 100 per area code, and sample ranges abroad.
update seed_customer c set phone = case
  when c.org_key = 'lotus' and c.country = 'CN' then
    (select case
              when f < 0.35 then p || ' ' || substr(s, 1, 4) || ' ' || substr(s, 5, 4)
              when f < 0.60 then p || s
              when f < 0.75 then p || '-' || substr(s, 1, 4) || '-' || substr(s, 5, 4)
              when f < 0.90 then '+86 ' || p || ' ' || substr(s, 1, 4) || ' ' || substr(s, 5, 4)
              else '(+86) ' || p || s
            end
       from (select pg_temp.seed_pick(array['138', '139', '136', '158', '159', '186', '188', '135', '137', '150', '151', '152', '187', '189', '177', '181'],
                                      pg_temp.seed_u('lotus:' || c.n || ':prefix')) as p,
                    lpad(((c.n::bigint * 104729 + 1234567) % 100000000)::text, 8, '0') as s,
                    pg_temp.seed_u('lotus:' || c.n || ':format') as f) as x)
  when c.org_key = 'lotus' and c.country = 'US' then '+1 415-555-01' || lpad((c.n % 100)::text, 2, '0')
  when c.org_key = 'lotus' and c.country = 'GB' then '+44 20 7946 ' || lpad((c.n % 1000)::text, 4, '0')
  when c.org_key = 'northwind' and c.country = 'US' then
    (select case
              when f < 0.40 then '(' || a || ') 555-01' || l
              when f < 0.60 then a || '-555-01' || l
              when f < 0.75 then a || '.555.01' || l
              when f < 0.90 then '+1 ' || a || ' 555 01' || l
              else '1 (' || a || ') 555-01' || l
            end
       from (select (array['206', '503', '303', '720', '801', '415', '213', '541', '208', '406', '512', '312', '612', '802', '828', '617', '212', '602', '907', '307'])[1 + ((c.n - 1) / 100) % 20] as a,
                    lpad(((c.n - 1) % 100)::text, 2, '0') as l,
                    pg_temp.seed_u('northwind:' || c.n || ':format') as f) as x)
  when c.org_key = 'northwind' and c.country = 'CA' then
    '+1 ' || case when c.city = 'Vancouver' then '604' else '416' end || ' 555 01' || lpad(((c.n - 1) % 100)::text, 2, '0')
  when c.org_key = 'northwind' and c.country = 'GB' then '+44 161 496 ' || lpad((c.n % 1000)::text, 4, '0')
  when c.org_key = 'northwind' and c.country = 'AU' then '+61 2 5550 ' || lpad((c.n % 10000)::text, 4, '0')
end
where pg_temp.seed_u(c.org_key || ':' || c.n || ':has-phone') < case when c.kind = 'company' then 0.6 else 0.78 end;

-- Two customers sharing a generated number would be one identity: the later one goes without.
update seed_customer c set phone = null
from (
  select org_key, n, row_number() over (partition by org_key, regexp_replace(phone, '[^0-9]', '', 'g') order by n) as rn
    from seed_customer where phone is not null
) as d
where d.org_key = c.org_key and d.n = c.n and d.rn > 1;

-- Temporary tables get no statistics by themselves; without them the planner guesses badly.
analyze seed_org;
analyze seed_clock;
analyze seed_customer;

-- People who work at a company customer, and customers who came through a referral.
update seed_customer c set company_n = co.n
from (
  select org_key, n, row_number() over (partition by org_key order by n) - 1 as position,
         count(*) over (partition by org_key) as companies
    from seed_customer
   where kind = 'company'
) as co
where co.org_key = c.org_key
  and c.kind = 'person'
  and pg_temp.seed_u(c.org_key || ':' || c.n || ':works') < 0.10
  and co.position = floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':employer') * co.companies)::int;

update seed_customer c set referred_n = r.n
from seed_customer r
where r.org_key = c.org_key
  and c.n > 20
  and pg_temp.seed_u(c.org_key || ':' || c.n || ':referred') < 0.06
  and r.n = 1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':referrer') * (c.n - 1))::int
  and r.created_ago >= c.created_ago;

insert into public.customers (
  id, org_id, display_name, kind, company_id, primary_email, primary_phone, country, region, city, industry,
  company_size, acquisition_source, owner_id, referred_by, is_partner, is_valid, invalid_reason, created_at, updated_at
)
select c.id, o.id, c.display_name, c.kind,
       case when c.company_n is not null then pg_temp.seed_id(c.org_key || ':customer:' || c.company_n) end,
       c.email, c.phone, c.country, c.region, c.city, c.industry, c.company_size, c.source,
       case c.owner when 'rep' then o.rep_id when 'admin' then o.admin_id end,
       case when c.referred_n is not null then pg_temp.seed_id(c.org_key || ':customer:' || c.referred_n) end,
       c.is_partner, c.invalid_reason is null, c.invalid_reason,
       k.anchor - make_interval(days => c.created_ago, secs => floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':created-at') * 86000)),
       k.anchor - make_interval(days => greatest(0, c.created_ago - 30), secs => floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':updated-at') * 86000))
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
 order by c.org_key, c.n;

-- ------------------------------------------------------------------------------------------------
-- Orders

create temp table seed_order as
select c.org_key, c.n, j.j, c.id as customer_id,
       greatest(0, d.ago)::integer as ago,
       floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':time') * 86000)::integer as secs,
       a.total,
       case
         when s.u < 0.025 then 'refunded'
         when s.u < 0.05 then 'cancelled'
         when d.ago <= 2 and s.u < 0.30 then 'pending'
         else 'paid'
       end::public.order_status as status,
       s.partial,
       case
         when c.org_key = 'lotus' then case when s.src < 0.70 then 'woocommerce' when s.src < 0.90 then 'manual' else 'import' end
         else case when s.src < 0.82 then 'shopify' when s.src < 0.92 then 'manual' else 'import' end
       end::public.order_source as source
  from seed_customer c
  cross join lateral generate_series(1, c.order_count) as j (j)
  cross join lateral (
    select case
             when j.j = 1 then c.first_ago
             when j.j = c.order_count then c.last_ago
             when c.gap_ago is not null then
               round(c.first_ago - (c.first_ago - c.gap_ago) * (j.j - 1)::numeric / greatest(c.order_count - 2, 1))::int
             else
               round(c.first_ago - (c.first_ago - c.last_ago) * (j.j - 1)::numeric / (c.order_count - 1)
                     + (pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':jitter') - 0.5)
                       * 0.6 * (c.first_ago - c.last_ago) / (c.order_count - 1))::int
           end as ago
  ) as d
  cross join lateral (
    select pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':status') as u,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':partial') as partial,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':source') as src
  ) as s
  cross join lateral (
    select case
             when c.org_key = 'lotus' then greatest(38, round((c.ticket * (0.55 + 0.9 * pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':amount')))::numeric, 0))
             else greatest(9.99, round((c.ticket * (0.5 + pg_temp.seed_u(c.org_key || ':' || c.n || ':' || j.j || ':amount')))::numeric, 0) - 0.01)
           end::numeric(14, 2) as total
  ) as a;

analyze seed_order;

insert into public.orders (id, org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status, created_at, updated_at)
select pg_temp.seed_id(s.org_key || ':order:' || s.n || ':' || s.j), o.id, s.customer_id, s.source,
       case s.source
         when 'shopify' then (5400000000 + row_number() over w)::text
         when 'woocommerce' then (10000 + row_number() over w)::text
         when 'manual' then 'M-' || lpad((row_number() over w)::text, 5, '0')
         else 'IMP-' || lpad((row_number() over w)::text, 6, '0')
       end,
       t.at, s.total,
       case
         when s.status = 'refunded' then s.total
         when s.status = 'paid' and s.partial < 0.03 then round((s.total * (0.1 + 4 * s.partial))::numeric, 2)
         else 0
       end,
       (o.settings ->> 'currency'), s.status, t.at, t.at + interval '2 hours'
  from seed_order s
  join seed_org o on o.key = s.org_key
  cross join seed_clock k
  cross join lateral (select k.anchor - make_interval(days => s.ago, secs => s.secs) as at) as t
window w as (partition by s.org_key, s.source order by s.ago desc, s.secs, s.n, s.j)
 order by s.org_key, s.ago desc, s.n, s.j;

-- Shop identities: the shop's customer id for everyone who ordered there, and the shop orders of
-- the last year (webhooks add new ones), so that the overlay finds the customer on the shop's
-- admin pages. Companies are also found by their mail domain, some people by a second address.
insert into public.customer_identities (org_id, kind, value, customer_id, created_at)
select o.id, 'shop_customer'::public.identity_kind, o.provider || ':' || case o.provider when 'shopify' then 7200000000 + c.n else 500 + c.n end,
       c.id, k.anchor - make_interval(days => c.first_ago)
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
 where exists (select 1 from seed_order s where s.org_key = c.org_key and s.n = c.n and s.source::text = o.provider)
union all
select o.id, 'shop_order', o.provider || ':' || r.external_id, r.customer_id, r.created_at
  from public.orders r
  join seed_org o on o.id = r.org_id
  cross join seed_clock k
 where r.source::text = o.provider
   and r.ordered_at > k.anchor - interval '365 days'
union all
select o.id, 'domain', c.email_domain, c.id, k.anchor - make_interval(days => c.created_ago)
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
 where c.kind = 'company' and c.email is not null
   and not exists (select 1 from seed_customer c3
                    where c3.org_key = c.org_key and c3.kind = 'company' and c3.email_domain = c.email_domain and c3.n < c.n)
union all
select o.id, 'email', split_part(c.email, '@', 1) || '@work.example.com', c.id, k.anchor - make_interval(days => c.created_ago)
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
 where c.kind = 'person' and c.email is not null
   and pg_temp.seed_u(c.org_key || ':' || c.n || ':work-email') < 0.08
   and not exists (select 1 from seed_customer d
                    where d.org_key = c.org_key and d.n < c.n and d.email is not null
                      and split_part(d.email, '@', 1) = split_part(c.email, '@', 1)
                      and pg_temp.seed_u(d.org_key || ':' || d.n || ':work-email') < 0.08);

-- ------------------------------------------------------------------------------------------------
-- Events: mail, visits, carts, reviews, calls. A customer without orders and with an event in the
-- last 90 days is a lead.

insert into public.events (org_id, customer_id, kind, occurred_at, details, recorded_by, created_at)
select o.id, c.id, e.kind::public.event_kind, t.at,
       case e.kind
         when 'email_in' then jsonb_build_object('subject', pg_temp.seed_pick(case c.org_key when 'lotus'
           then array['咨询明前龙井到货时间', 'Re: 订单发货', '企业礼盒报价', '发票抬头修改', 'Question about pu-erh storage', '中秋礼盒能否定制']
           else array['Tent pole replacement', 'Re: Order shipped', 'Group discount for our scout troop?', 'Sizing question', 'Return label please'] end, e.u2))
         when 'email_out' then jsonb_build_object('subject', pg_temp.seed_pick(case c.org_key when 'lotus'
           then array['新茶上市通知', 'Re: 企业礼盒报价', '您的订单已发货', 'Brewing guide for your oolong']
           else array['Your order is on its way', 'Re: Sizing question', 'Spring gear checklist', 'Warranty claim approved'] end, e.u2))
         when 'visit' then jsonb_build_object('path', pg_temp.seed_pick(case c.org_key when 'lotus'
           then array['/products/longjing-2024', '/products/da-hong-pao', '/products/aged-pu-erh', '/gift-boxes', '/blog/how-to-brew-oolong']
           else array['/products/ridgeline-2-tent', '/products/summit-down-jacket', '/collections/trail-running', '/products/alpine-40l-pack', '/pages/size-guide'] end, e.u2))
         when 'cart' then jsonb_build_object('items', 1 + floor(e.u2 * 4)::int)
         when 'review' then jsonb_build_object('rating', 3 + floor(e.u2 * 3)::int)
         when 'support' then jsonb_build_object('topic', pg_temp.seed_pick(array['delivery', 'refund', 'product question', 'invoice'], e.u2))
         else '{}'::jsonb
       end,
       case when e.kind in ('email_out', 'call', 'meeting', 'captured')
            then case when e.u2 < 0.5 then o.rep_id when e.u2 < 0.8 then o.staff_id else o.admin_id end end,
       t.at
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
  cross join lateral generate_series(1, case
    when c.order_count > 0 then floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':events') * 4)::int
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':events') < 0.65 then 1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':events2') * 3)::int
    else 0
  end) as x (i)
  cross join lateral (
    select pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':event-kind') as u1,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':event-detail') as u2,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':event-ago') as u3
  ) as r
  cross join lateral (
    select r.u2, case
             when c.order_count > 0 then case
               when r.u1 < 0.30 then 'visit' when r.u1 < 0.50 then 'email_in' when r.u1 < 0.68 then 'email_out'
               when r.u1 < 0.78 then 'cart' when r.u1 < 0.86 then 'review' when r.u1 < 0.93 then 'support'
               when r.u1 < 0.98 then 'call' else 'meeting' end
             else case
               when r.u1 < 0.35 then 'visit' when r.u1 < 0.60 then 'email_in' when r.u1 < 0.75 then 'captured'
               when r.u1 < 0.90 then 'email_out' else 'call' end
           end as kind
  ) as e
  cross join lateral (
    select k.anchor - make_interval(
             days => case when c.order_count > 0 then floor(r.u3 * (c.first_ago + 30))::int else floor(r.u3 * c.created_ago)::int end,
             secs => floor(r.u1 * 86000)) as at
  ) as t
union all
-- A referral recorded on the referrer when the referred customer arrived.
select o.id, pg_temp.seed_id(c.org_key || ':customer:' || c.referred_n), 'referral'::public.event_kind,
       k.anchor - make_interval(days => c.created_ago, secs => 3600),
       jsonb_build_object('referred_customer_id', c.id), null, k.anchor - make_interval(days => c.created_ago, secs => 3600)
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
 where c.referred_n is not null;

-- ------------------------------------------------------------------------------------------------
-- Tags and who put them on which customer, from which page

create temp table seed_tag (org_key text, idx integer, id uuid, name text, colour text, category text, description text);
insert into seed_tag (org_key, idx, name, colour, category, description)
select 'lotus', t.* from (values
  (1, 'VIP', '#b91c1c', 'value', '重点维护的高价值客户 High-value customer, handle personally'),
  (2, '乌龙茶爱好者', '#b45309', 'preference', 'Oolong lover: 大红袍, 铁观音, 凤凰单丛'),
  (3, '绿茶', '#15803d', 'preference', 'Buys green tea: 龙井, 碧螺春'),
  (4, '普洱收藏', '#7c2d12', 'preference', 'Collects aged pu-erh cakes'),
  (5, '企业礼品', '#1d4ed8', 'behaviour', 'Buys gift boxes for employees or clients'),
  (6, '节日送礼', '#be185d', 'behaviour', 'Orders before 春节 and 中秋'),
  (7, '批发', '#4338ca', 'value', 'Wholesale / trade pricing'),
  (8, '价格敏感', '#64748b', 'behaviour', 'Waits for promotions'),
  (9, '老客户', '#0f766e', 'value', 'Long-standing customer'),
  (10, '海外客户', '#0369a1', 'demographic', 'Ships abroad'),
  (11, '小红书达人', '#db2777', 'demographic', 'Influencer on Xiaohongshu'),
  (12, '茶艺师', '#65a30d', 'demographic', 'Tea master or tea-house owner'),
  (13, '投诉过', '#dc2626', 'behaviour', 'Complained before: check the notes'),
  (14, '需要发票', '#475569', 'custom', 'Needs a 增值税发票 with every order'),
  (15, '新品试用', '#9333ea', 'custom', 'Agreed to try new teas'),
  (16, 'Newsletter', '#0891b2', 'preference', 'Subscribed to the monthly newsletter'),
  (17, '<svg onload=alert(1)>', '#000000', 'custom', 'A tag made of markup: it must appear as text')
) as t (idx, name, colour, category, description)
union all
select 'northwind', t.* from (values
  (1, 'VIP', '#b91c1c', 'value', 'High-value customer: handle personally'),
  (2, 'Hiker', '#15803d', 'preference', 'Day hikes and backpacking'),
  (3, 'Camper', '#b45309', 'preference', 'Car camping and family trips'),
  (4, 'Climber', '#7c3aed', 'preference', 'Rock and ice climbing'),
  (5, 'Trail runner', '#0d9488', 'preference', 'Trail running shoes and vests'),
  (6, 'Winter sports', '#0369a1', 'preference', 'Skis, snowshoes, insulated layers'),
  (7, 'Newsletter', '#0891b2', 'preference', 'Subscribed to the newsletter'),
  (8, 'Wholesale', '#4338ca', 'value', 'Trade pricing for clubs and schools'),
  (9, 'Gift buyer', '#be185d', 'behaviour', 'Buys gift cards and holiday bundles'),
  (10, 'Price sensitive', '#64748b', 'behaviour', 'Buys on sale'),
  (11, 'Returns often', '#dc2626', 'behaviour', 'Returned several orders'),
  (12, 'Ambassador', '#ca8a04', 'demographic', 'Brand ambassador program'),
  (13, 'Guide', '#65a30d', 'demographic', 'Works as a professional guide'),
  (14, 'Do not call', '#475569', 'custom', 'Prefers email only'),
  (15, 'Warranty claim', '#9a3412', 'custom', 'Has an open or past warranty claim'),
  (16, '<svg onload=alert(1)>', '#000000', 'custom', 'A tag made of markup: it must appear as text')
) as t (idx, name, colour, category, description);

update seed_tag set id = pg_temp.seed_id(org_key || ':tag:' || name);
analyze seed_tag;

insert into public.tags (id, org_id, name, colour, category, description, created_by, created_at, updated_at)
select t.id, o.id, t.name, t.colour, t.category::public.tag_category, t.description, o.admin_id,
       k.anchor - make_interval(days => 1100 - t.idx * 20), k.anchor - make_interval(days => 1100 - t.idx * 20)
  from seed_tag t join seed_org o on o.key = t.org_key cross join seed_clock k;

-- 40 % of customers have no manual tag, the rest one to three; 15 % of tags came with an import.
-- The markup tag (the last of each organization) is kept for the hostile-content customer.
insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at, page_url, page_title)
select distinct on (o.id, c.id, t.id)
       o.id, c.id, t.id,
       case when p.u < 0.15 then 'import' else 'manual' end::public.tag_source,
       case when p.u < 0.15 then null when p.u < 0.55 then o.staff_id when p.u < 0.85 then o.rep_id else o.admin_id end,
       k.anchor - make_interval(days => case when p.u < 0.15 then c.created_ago else floor(p.u2 * c.created_ago)::int end,
                                secs => floor(p.u3 * 86000)),
       case when p.u >= 0.15 then case
         when p.u < 0.45 then 'https://mail.google.com/mail/u/0/#inbox/' || substr(md5(c.org_key || c.n || t.name), 1, 16)
         when p.u < 0.60 then 'https://outlook.office.com/mail/inbox/id/AAQkADk' || substr(md5(c.org_key || c.n || t.name), 1, 24)
         when p.u < 0.85 then case o.provider
           when 'shopify' then o.admin_url || '/customers/' || (7200000000 + c.n)
           else o.admin_url || '/user-edit.php?user_id=' || (500 + c.n) end
         else case c.org_key
           when 'lotus' then 'https://www.xiaohongshu.com/user/profile/' || substr(md5(c.org_key || c.n), 1, 24)
           else 'https://www.linkedin.com/in/' || lower(regexp_replace(c.display_name, '[^A-Za-z]+', '-', 'g')) || '-' || substr(md5(c.org_key || c.n), 1, 6) end
       end end,
       case when p.u >= 0.15 then case
         when p.u < 0.45 then coalesce(c.email, c.display_name) || ' - Gmail'
         when p.u < 0.60 then 'Mail - ' || c.display_name || ' - Outlook'
         when p.u < 0.85 then case o.provider when 'shopify' then c.display_name || ' · Customers · Shopify' else '编辑用户 ‹ Lotus Tea Co. — WordPress' end
         else c.display_name
       end end
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
  cross join lateral generate_series(1, case
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':tags') < 0.40 then 0
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':tags') < 0.70 then 1
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':tags') < 0.90 then 2
    else 3 end) as x (i)
  cross join lateral (
    select pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':tag-source') as u,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':tag-when') as u2,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':tag-time') as u3,
           1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':tag') * ((select count(*) from seed_tag s where s.org_key = c.org_key) - 1))::int as idx
  ) as p
  join seed_tag t on t.org_key = c.org_key and t.idx = p.idx
 order by o.id, c.id, t.id, x.i;

-- ------------------------------------------------------------------------------------------------
-- Notes

insert into public.notes (id, org_id, customer_id, author_id, body, created_at, updated_at)
select pg_temp.seed_id(c.org_key || ':note:' || c.n || ':' || x.i), o.id, c.id,
       case when r.u1 < 0.5 then o.rep_id when r.u1 < 0.8 then o.staff_id else o.admin_id end,
       replace(pg_temp.seed_pick(case c.org_key
         when 'lotus' then array[
           '客户询问明前龙井的到货时间，已答复下周发货。',
           '喜欢浓香型铁观音，推荐了{product}。',
           '中秋前需要 120 份企业礼盒，已发报价单。',
           '收到的茶饼有轻微破损，补发了一饼{product}，客户满意。',
           'Prefers SF Express; invoice title must match the company name exactly.',
           'Asked for English brewing instructions for {product}.',
           '电话回访：对{product}评价很高，考虑年底再订。',
           'Wants to be told when the spring {product} arrives.',
           '价格比较敏感，等双十一活动再下单。',
           '介绍了两位朋友来买茶，下次送一份试饮装。'
         ]
         else array[
           'Called about a broken tent pole; sent a replacement set under warranty.',
           'Asked whether the {product} fits two adults plus a dog. Suggested the larger size.',
           'Organizing a group trip in June, wants a quote for 12 {product}s.',
           'Returned the {product} (wrong size); exchange shipped.',
           'Prefers email, do not call during work hours.',
           'Guide in the Cascades, interested in the ambassador program.',
           'Left a 5-star review for the {product}.',
           'Asked about restock dates for the {product}.',
           'Wholesale inquiry for a climbing gym; forwarded to Alex.',
           'Long-time customer since the first catalog. Always orders before ski season.'
         ] end, r.u2),
         '{product}',
         pg_temp.seed_pick(case c.org_key
           when 'lotus' then array['2023 年秋茶铁观音', '大红袍', '凤凰单丛', '明前龙井', '陈年普洱', '白毫银针']
           else array['Ridgeline 2 tent', 'Summit down jacket', 'Alpine 40L pack', 'Trail runner vest', 'Glacier sleeping bag'] end, r.u3)),
       t.at, t.at
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
  cross join lateral generate_series(1, case
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':notes') < 0.62 then 0
    when pg_temp.seed_u(c.org_key || ':' || c.n || ':notes') < 0.92 then 1
    else 2 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':notes2') * 2)::int end) as x (i)
  cross join lateral (
    select pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':note-author') as u1,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':note-text') as u2,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':note-product') as u3,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':' || x.i || ':note-when') as u4
  ) as r
  cross join lateral (
    select k.anchor - make_interval(days => floor(r.u4 * least(c.created_ago, 700))::int, secs => floor(r.u1 * 86000)) as at
  ) as t;

-- ------------------------------------------------------------------------------------------------
-- The customers the extension's tests and demos look up (see the table at the top)

create temp table seed_demo (
  org_key text, key text, display_name text, email text, phone text, country text, region text, city text,
  source text, owner text, created_ago integer
);
insert into seed_demo values
  ('lotus', 'li-wei', 'Li Wei', 'li.wei@example.com', '+86 138 0013 8000', 'CN', '浙江', '杭州', '微信公众号', 'rep', 760),
  ('lotus', 'maria-garcia', 'Maria Garcia', 'maria.garcia@example.com', '+34 612 34 56 78', 'ES', 'Madrid', 'Madrid', '官网', null, 14),
  ('lotus', 'hostile', '<img src=x onerror=alert(1)>', 'hostile.markup@example.com', null, 'CN', null, null, null, null, 30),
  ('northwind', 'maria-garcia', 'Maria Garcia', 'maria.garcia@example.com', '(737) 555-0188', 'US', 'Texas', 'Austin', 'Instagram', 'rep', 500),
  ('northwind', 'li-wei', 'Li Wei', 'li.wei@example.com', '+1 628-555-0142', 'US', 'California', 'San Francisco', 'Referral', 'admin', 600),
  ('northwind', 'hostile', '<img src=x onerror=alert(1)>', 'hostile.markup@example.com', null, 'US', null, null, null, null, 30);

insert into public.customers (id, org_id, display_name, kind, primary_email, primary_phone, country, region, city,
                              acquisition_source, owner_id, created_at, updated_at)
select pg_temp.seed_id(d.org_key || ':demo:' || d.key), o.id, d.display_name, 'person', d.email, d.phone, d.country, d.region, d.city,
       d.source, case d.owner when 'rep' then o.rep_id when 'admin' then o.admin_id end,
       k.anchor - make_interval(days => d.created_ago), k.anchor - interval '3 days'
  from seed_demo d join seed_org o on o.key = d.org_key cross join seed_clock k;

insert into public.orders (id, org_id, customer_id, source, external_id, ordered_at, total, refunded_amount, currency, status, created_at, updated_at)
select pg_temp.seed_id(x.org_key || ':demo-order:' || x.key || ':' || x.ago), o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key),
       x.source::public.order_source, x.external_id, k.anchor - make_interval(days => x.ago, hours => 10),
       x.total, case when x.status = 'refunded' then x.total else 0 end, o.settings ->> 'currency', x.status::public.order_status,
       k.anchor - make_interval(days => x.ago, hours => 10), k.anchor - make_interval(days => x.ago, hours => 8)
  from (values
    ('lotus', 'li-wei', 700, 'woocommerce', '9701', 1288.00, 'paid'),
    ('lotus', 'li-wei', 560, 'woocommerce', '9702', 468.00, 'paid'),
    ('lotus', 'li-wei', 420, 'manual', 'M-90001', 2680.00, 'paid'),
    ('lotus', 'li-wei', 300, 'woocommerce', '9703', 388.00, 'paid'),
    ('lotus', 'li-wei', 200, 'woocommerce', '9704', 568.00, 'refunded'),
    ('lotus', 'li-wei', 150, 'woocommerce', '9705', 888.00, 'paid'),
    ('lotus', 'li-wei', 75, 'woocommerce', '9706', 1688.00, 'paid'),
    ('lotus', 'li-wei', 40, 'woocommerce', '9707', 328.00, 'paid'),
    ('lotus', 'li-wei', 12, 'woocommerce', '9708', 968.00, 'paid'),
    ('lotus', 'maria-garcia', 10, 'woocommerce', '9709', 468.00, 'paid'),
    ('northwind', 'maria-garcia', 480, 'shopify', '5499000001', 189.99, 'paid'),
    ('northwind', 'maria-garcia', 300, 'shopify', '5499000002', 74.99, 'paid'),
    ('northwind', 'maria-garcia', 120, 'shopify', '5499000003', 349.00, 'paid'),
    ('northwind', 'li-wei', 560, 'shopify', '5499000004', 129.00, 'paid'),
    ('northwind', 'li-wei', 25, 'shopify', '5499000005', 249.99, 'paid'),
    -- Each shop's second store: a trade order awaiting payment, an order from abroad awaiting payment.
    ('northwind', 'li-wei', 2, 'woocommerce', '30001', 1240.00, 'pending'),
    ('lotus', 'maria-garcia', 1, 'shopify', '6100000001', 298.00, 'pending')
  ) as x (org_key, key, ago, source, external_id, total, status)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

insert into public.customer_identities (org_id, kind, value, customer_id, created_at)
select r.org_id, 'shop_order'::public.identity_kind, r.source::text || ':' || r.external_id, r.customer_id, r.created_at
  from public.orders r
 where r.customer_id in (select pg_temp.seed_id(d.org_key || ':demo:' || d.key) from seed_demo d)
   and r.source in ('shopify', 'woocommerce')
union all
select o.id, 'shop_customer', o.provider || ':' || case d.key when 'li-wei' then '9001' else '9002' end,
       pg_temp.seed_id(d.org_key || ':demo:' || d.key), k.anchor - make_interval(days => d.created_ago)
  from seed_demo d join seed_org o on o.key = d.org_key cross join seed_clock k
 where d.key <> 'hostile'
union all
select o.id, 'shop_customer', x.value, pg_temp.seed_id(x.org_key || ':demo:' || x.key), k.anchor - interval '3 days'
  from (values ('northwind', 'li-wei', 'woocommerce:9001'), ('lotus', 'maria-garcia', 'shopify:7300009002')) as x (org_key, key, value)
  join seed_org o on o.key = x.org_key cross join seed_clock k;

insert into public.customer_tags (org_id, customer_id, tag_id, source, added_by, added_at, page_url, page_title)
select o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key), pg_temp.seed_id(x.org_key || ':tag:' || x.tag), 'manual',
       case x.who when 'rep' then o.rep_id when 'staff' then o.staff_id else o.admin_id end,
       k.anchor - make_interval(days => x.ago, hours => 3), x.page_url, x.page_title
  from (values
    ('lotus', 'li-wei', 'VIP', 'admin', 400, 'https://shop.lotustea.example/wp-admin/user-edit.php?user_id=9001', '编辑用户 ‹ Lotus Tea Co. — WordPress'),
    ('lotus', 'li-wei', '乌龙茶爱好者', 'rep', 650, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbdrLwLiWei', 'Re: 大红袍还有货吗 - li.wei@example.com - Gmail'),
    ('lotus', 'li-wei', '企业礼品', 'staff', 410, 'https://outlook.office.com/mail/inbox/id/AAQkADkLiWeiGiftBoxes', 'Mail - Li Wei - Outlook'),
    ('lotus', 'maria-garcia', '海外客户', 'staff', 9, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbdrMariaGarcia', 'Shipping to Madrid - maria.garcia@example.com - Gmail'),
    ('lotus', 'maria-garcia', '节日送礼', 'rep', 9, 'https://shop.lotustea.example/wp-admin/user-edit.php?user_id=9002', '编辑用户 ‹ Lotus Tea Co. — WordPress'),
    ('lotus', 'hostile', '<svg onload=alert(1)>', 'staff', 5, 'https://example.com/<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'),
    ('northwind', 'maria-garcia', 'Hiker', 'rep', 470, 'https://admin.shopify.com/store/northwind-outfitters/customers/9002', 'Maria Garcia · Customers · Shopify'),
    ('northwind', 'maria-garcia', 'Newsletter', 'staff', 300, 'https://mail.google.com/mail/u/0/#inbox/FMfcgzQbdrNwMaria', 'Newsletter signup - maria.garcia@example.com - Gmail'),
    ('northwind', 'li-wei', 'Camper', 'staff', 24, 'https://outlook.office.com/mail/inbox/id/AAQkADkNwLiWei', 'Mail - Li Wei - Outlook'),
    ('northwind', 'hostile', '<svg onload=alert(1)>', 'staff', 5, 'https://example.com/<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')
  ) as x (org_key, key, tag, who, ago, page_url, page_title)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

insert into public.notes (id, org_id, customer_id, author_id, body, created_at, updated_at)
select pg_temp.seed_id(x.org_key || ':demo-note:' || x.key || ':' || x.ago), o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key),
       case x.who when 'rep' then o.rep_id when 'staff' then o.staff_id else o.admin_id end, x.body,
       k.anchor - make_interval(days => x.ago, hours => 6), k.anchor - make_interval(days => x.ago, hours => 6)
  from (values
    ('lotus', 'li-wei', 'rep', 30, '偏爱武夷岩茶，大红袍每季度回购一次。'),
    ('lotus', 'li-wei', 'admin', 410, 'Corporate gift boxes for 120 employees before 中秋; invoice title 杭州云栖科技有限公司. Prefers SF Express.'),
    ('lotus', 'maria-garcia', 'staff', 9, 'First order, shipped to Madrid by EMS. Asked for English brewing instructions.'),
    ('lotus', 'hostile', 'staff', 5, '<script>alert("note")</script> Markup in a note must show as text.'),
    ('northwind', 'maria-garcia', 'rep', 118, 'Asked whether the Ridgeline 2 tent fits two adults plus a dog. Suggested the 3P; follow up before summer.'),
    ('northwind', 'li-wei', 'staff', 24, 'Came back after more than a year for a winter sleeping bag.'),
    ('northwind', 'hostile', 'staff', 5, '<script>alert("note")</script> Markup in a note must show as text.')
  ) as x (org_key, key, who, ago, body)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

insert into public.events (org_id, customer_id, kind, occurred_at, details, recorded_by, created_at)
select o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key), x.kind::public.event_kind,
       k.anchor - make_interval(days => x.ago, hours => 4), x.details::jsonb,
       case when x.kind in ('email_out', 'call') then o.rep_id end, k.anchor - make_interval(days => x.ago, hours => 4)
  from (values
    ('lotus', 'li-wei', 'email_in', 3, '{"subject": "Re: 秋茶预订"}'),
    ('lotus', 'li-wei', 'visit', 1, '{"path": "/products/da-hong-pao"}'),
    ('lotus', 'maria-garcia', 'email_in', 9, '{"subject": "Shipping to Madrid"}'),
    ('lotus', 'hostile', 'email_in', 5, '{"subject": "<b>bold</b> <img src=x onerror=alert(2)>"}'),
    ('northwind', 'maria-garcia', 'email_out', 118, '{"subject": "Re: Ridgeline 2 for two plus a dog"}'),
    ('northwind', 'li-wei', 'visit', 26, '{"path": "/products/glacier-sleeping-bag"}'),
    ('northwind', 'hostile', 'email_in', 5, '{"subject": "<b>bold</b> <img src=x onerror=alert(2)>"}')
  ) as x (org_key, key, kind, ago, details)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

-- ------------------------------------------------------------------------------------------------
-- Segments: rules an admin of each shop would write (value, region, tags, win-back), in the rule
-- language of supabase/migrations/20261123001020_segment_rule_validation.sql (shared/rules.ts).
-- The engine run below evaluates them, so the Overview and the cards show their members.

insert into public.segments (id, org_id, name, description, rule, is_active, created_by, created_at, updated_at)
select pg_temp.seed_id(x.org_key || ':segment:' || x.key), o.id, x.name, x.description, x.rule::jsonb, true, o.admin_id,
       k.anchor - make_interval(days => x.ago), k.anchor - make_interval(days => x.ago)
  from (values
    ('lotus', 'vip', 'VIP 贵宾客户', '消费额前 10 % 的客户 The top 10 % by net spend: handle personally.',
     '{"field": "value_tier", "op": "in", "value": ["vip", "super"]}', 300),
    ('lotus', 'high-ticket', '高客单回头客 High-ticket repeat buyers', '客单价高于中位数且下单三次以上 Three orders or more, each above the median basket.',
     '{"all": [{"field": "ticket_band", "op": "in", "value": ["high"]}, {"field": "order_count", "op": "gte", "value": 3}]}', 280),
    ('lotus', 'overseas', '海外客户 Overseas customers', '港澳台及海外地址 Shipping outside mainland China: customs forms and EMS.',
     '{"field": "country", "op": "in", "value": ["HK", "TW", "SG", "US", "GB", "AU", "JP"]}', 250),
    ('lotus', 'oolong-puerh', '乌龙与普洱爱好者 Oolong & pu-erh lovers', '新茶上市先通知 First to hear about new harvests and aged cakes.',
     '{"field": "tags", "op": "any", "value": ["乌龙茶爱好者", "普洱收藏"]}', 200),
    ('lotus', 'win-back', '挽回高价值客户 Win back big spenders', '沉睡或流失的高消费客户 Big spenders gone quiet: call before the next festival.',
     '{"all": [{"field": "lifecycle_stage", "op": "in", "value": ["at_risk", "churned"]}, {"field": "m_score", "op": "gte", "value": 4}]}', 120),
    ('northwind', 'vip', 'VIPs', 'The top 10 % of customers by net spend: handle personally.',
     '{"field": "value_tier", "op": "in", "value": ["vip", "super"]}', 300),
    ('northwind', 'high-ticket', 'High-ticket repeat buyers', 'Three orders or more, each above the median basket.',
     '{"all": [{"field": "ticket_band", "op": "in", "value": ["high"]}, {"field": "order_count", "op": "gte", "value": 3}]}', 280),
    ('northwind', 'international', 'International customers', 'Shipping outside the United States: duties and longer delivery times.',
     '{"field": "country", "op": "in", "value": ["CA", "GB", "AU", "DE"]}', 250),
    ('northwind', 'hikers-campers', 'Hikers and campers', 'Tagged Hiker or Camper: the spring gear guide goes to them first.',
     '{"field": "tags", "op": "any", "value": ["Hiker", "Camper"]}', 200),
    ('northwind', 'win-back', 'Win back big spenders', 'Big spenders at risk or churned: a personal note and a comeback offer.',
     '{"all": [{"field": "lifecycle_stage", "op": "in", "value": ["at_risk", "churned"]}, {"field": "m_score", "op": "gte", "value": 4}]}', 120)
  ) as x (org_key, key, name, description, rule, ago)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

-- A segment built on another: the VIPs still buying.
insert into public.segments (id, org_id, name, description, rule, is_active, created_by, created_at, updated_at)
select pg_temp.seed_id(o.key || ':segment:loyal-vip'), o.id, x.name, x.description,
       jsonb_build_object('all', jsonb_build_array(
         jsonb_build_object('segment', pg_temp.seed_id(o.key || ':segment:vip')),
         '{"field": "lifecycle_stage", "op": "in", "value": ["active", "loyal", "reactivated"]}'::jsonb)),
       true, o.admin_id, k.anchor - interval '90 days', k.anchor - interval '90 days'
  from (values
    ('lotus', '活跃贵宾 VIPs still buying', '仍在购买的贵宾客户 VIPs with a recent order: thank them, do not discount.'),
    ('northwind', 'VIPs still buying', 'VIPs with a recent order: thank them, no discounts needed.')
  ) as x (org_key, name, description)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

-- ------------------------------------------------------------------------------------------------
-- Portraits: a full engine run per organization computes every profile (statistics, RFM, stage,
-- tier, segments) against fresh cut points, then the stage snapshots of the three years are rebuilt
-- from the order history (the run itself writes today's).

select set_config('portrait.defer_classification', '', false);

do $$
declare
  org record;
  answer jsonb;
begin
  for org in select o.id from seed_org o order by o.key loop
    answer := private.recompute(org.id, 'full');
    while answer ->> 'next_after' is not null and answer ->> 'error' is null loop
      answer := private.recompute(org.id, 'full', (answer ->> 'next_after')::uuid, 20000, (answer ->> 'run_id')::bigint);
    end loop;
    if answer ->> 'error' is not null then
      raise exception 'the engine run for the demo data failed: %', answer ->> 'error';
    end if;
    -- That run (and the events loaded above) classified customers whose whole history was loaded
    -- at once: each left the default stage today. Date each of those first stages from the history
    -- instead (when the engine would have recorded it had it seen the orders and events arrive), so
    -- that the stage timelines and this month's moves between stages tell what happened, and take
    -- today's snapshot again.
    update public.stage_changes sc
       set changed_at = least(sc.changed_at, case sc.to_stage
             when 'at_risk' then p.last_order_at + make_interval(days => coalesce((sc.reason ->> 'threshold')::integer, 90) + 1)
             when 'churned' then p.last_order_at + make_interval(days => coalesce((sc.reason ->> 'threshold')::integer, 180) + 1)
             when 'new' then p.first_order_at
             when 'lead' then (select max(e.occurred_at) from public.events e where e.org_id = sc.org_id and e.customer_id = sc.customer_id)
             else p.last_order_at
           end)
      from public.customer_profiles p
     where p.org_id = sc.org_id and p.customer_id = sc.customer_id
       and sc.org_id = org.id and sc.source = 'computed';
    perform private.take_stage_snapshot(org.id, now());
    -- The whole history: three full years before today, as far back as the first orders go.
    perform private.backfill_stage_snapshots(
      org.id, ((select anchor from seed_clock) - interval '3 years')::date, ((select anchor from seed_clock) - interval '1 day')::date);
  end loop;
end
$$;

-- ------------------------------------------------------------------------------------------------
-- Follow-ups, mail, owners and satisfaction visits (跟进, 邮件往来, 负责人, 回访)
--
-- After the engine run: none of this changes a computed figure. Each rep has follow-ups due
-- today, some overdue and some later, and a few done; the customers at the top have mail going
-- both ways and an owner history; some buyers answered a satisfaction visit. Owners set when the
-- customers were created are already in ownership_changes (as assigned, dated at creation).

-- Mail with the customers at the top, written by their rep (email_out) or received (email_in).
insert into public.events (org_id, customer_id, kind, occurred_at, details, recorded_by, created_at)
select o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key), x.kind::public.event_kind,
       k.anchor - make_interval(days => x.ago, hours => x.hours), jsonb_build_object('subject', x.subject),
       case when x.kind = 'email_out' then o.rep_id end, k.anchor - make_interval(days => x.ago, hours => x.hours)
  from (values
    ('lotus', 'li-wei', 'email_out', 2, 14, 'Re: 秋茶预订 — 大红袍 2 斤已留'),
    ('lotus', 'li-wei', 'email_in', 12, 9, '中秋礼盒 120 份的报价'),
    ('lotus', 'li-wei', 'email_out', 11, 16, 'Re: 中秋礼盒 120 份的报价'),
    ('lotus', 'maria-garcia', 'email_out', 8, 11, 'Re: Shipping to Madrid — English brewing guide attached'),
    ('northwind', 'maria-garcia', 'email_in', 6, 15, 'Is the Ridgeline 3P back in stock?'),
    ('northwind', 'maria-garcia', 'email_out', 95, 10, 'Spring gear checklist'),
    ('northwind', 'li-wei', 'email_in', 25, 13, 'Winter sleeping bag: which temperature rating?'),
    ('northwind', 'li-wei', 'email_out', 25, 9, 'Re: Winter sleeping bag: which temperature rating?')
  ) as x (org_key, key, kind, ago, hours, subject)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

-- Maria Garcia at Lotus was in the pool; the rep claimed her after her first order.
update public.customers c
   set owner_id = o.rep_id
  from seed_org o
 where o.key = 'lotus' and c.org_id = o.id and c.id = pg_temp.seed_id('lotus:demo:maria-garcia');
update public.ownership_changes w
   set reason = 'claimed', changed_by = o.rep_id, changed_at = k.anchor - interval '8 days 10 hours'
  from seed_org o cross join seed_clock k
 where o.key = 'lotus' and w.org_id = o.id and w.customer_id = pg_temp.seed_id('lotus:demo:maria-garcia');

-- Follow-ups on the customers at the top (due in hours from today 00:00 UTC; negative: overdue).
insert into public.follow_ups (id, org_id, customer_id, assignee_id, due_at, note, created_by, created_at, updated_at, done_at, done_by)
select pg_temp.seed_id(x.org_key || ':demo-follow-up:' || x.key || ':' || x.due_hours), o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key),
       case x.assignee when 'rep' then o.rep_id when 'staff' then o.staff_id when 'demo' then '30000000-0000-4000-8000-0000000000d1'::uuid else o.admin_id end,
       k.anchor + make_interval(hours => x.due_hours), x.note,
       case x.creator when 'rep' then o.rep_id when 'staff' then o.staff_id else o.admin_id end,
       k.anchor - make_interval(days => x.created_ago), k.anchor - make_interval(days => x.created_ago),
       case when x.done_ago is not null then k.anchor - make_interval(days => x.done_ago) end,
       case when x.done_ago is not null then case x.assignee when 'rep' then o.rep_id when 'staff' then o.staff_id
                                                              when 'demo' then '30000000-0000-4000-8000-0000000000d1'::uuid else o.admin_id end end
  from (values
    ('lotus', 'li-wei', 'rep', 'rep', 50, 2, null::integer, '秋茶到货后回电，确认大红袍 2 斤的发货时间。'),
    ('lotus', 'li-wei', 'rep', 'admin', -790, 40, 33, '确认中秋礼盒发票抬头。'),
    ('lotus', 'maria-garcia', 'rep', 'rep', -60, 8, null, 'Ask how the first order arrived in Madrid; offer the oolong sampler.'),
    ('lotus', 'maria-garcia', 'rep', 'staff', 23, 1, null, '今天回复 Maria 的英文冲泡说明问题。'),
    ('northwind', 'maria-garcia', 'rep', 'admin', 23, 1, null, 'Send Maria the return label today.'),
    ('lotus', 'hostile', 'staff', 'staff', 15, 5, null, '<b>Reply</b> to the lead <img src=x onerror=alert(3)> — must show as text.'),
    ('lotus', 'li-wei', 'demo', 'admin', 10, 1, null, 'Call Li Wei about the corporate order for next year.'),
    ('northwind', 'maria-garcia', 'rep', 'rep', -20, 6, null, 'Check in before summer: the Ridgeline 3P is back in stock.'),
    ('northwind', 'li-wei', 'rep', 'staff', 30, 3, null, 'Follow up on the sleeping bag: did the -7 °C rating work out?'),
    ('northwind', 'maria-garcia', 'demo', 'rep', -30, 4, null, 'Send Maria the trail-running catalogue.'),
    ('northwind', 'li-wei', 'demo', 'admin', 14, 2, null, 'Thank Li Wei for coming back; ask for a review.'),
    ('northwind', 'li-wei', 'rep', 'rep', -560, 30, 24, 'Reach out: no order in over a year.')
  ) as x (org_key, key, assignee, creator, due_hours, created_ago, done_ago, note)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

-- Follow-ups on generated customers: the customers a rep or admin owns, about one in twelve, due
-- from ten days ago to two weeks ahead; those due more than three days ago are mostly done.
insert into public.follow_ups (id, org_id, customer_id, assignee_id, due_at, note, created_by, created_at, updated_at, done_at, done_by)
select pg_temp.seed_id(c.org_key || ':follow-up:' || c.n), o.id, c.id, f.assignee,
       k.anchor + make_interval(hours => f.due_hours), f.note, f.assignee,
       k.anchor + make_interval(hours => f.due_hours) - interval '7 days', k.anchor + make_interval(hours => f.due_hours) - interval '7 days',
       case when f.done then k.anchor + make_interval(hours => f.due_hours + 4) end,
       case when f.done then f.assignee end
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
  cross join lateral (
    select case c.owner when 'rep' then o.rep_id else o.admin_id end as assignee,
           (floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':follow-up-due') * 24 * 24) - 240)::integer as due_hours,
           pg_temp.seed_pick(case c.org_key when 'lotus'
             then array['回访新茶口感', '确认礼盒数量', '发送春茶目录', 'Ask about the next order', '跟进发票问题', null]
             else array['Check the fit of the boots', 'Offer the member discount', 'Ask for a review', 'Follow up on the return', null] end,
             pg_temp.seed_u(c.org_key || ':' || c.n || ':follow-up-note')) as note,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':follow-up-done') < 0.8 as done_if_past
  ) as g
  cross join lateral (select g.assignee, g.due_hours, g.note, g.done_if_past and g.due_hours < -72 as done) as f
 where c.owner is not null
   and pg_temp.seed_u(c.org_key || ':' || c.n || ':follow-up') < 0.08;

-- Satisfaction visits: the customers at the top, and about one buyer in fifteen.
insert into public.satisfaction_responses (id, org_id, customer_id, score, scale, comment, channel, recorded_by, responded_at, updated_at)
select pg_temp.seed_id(x.org_key || ':demo-satisfaction:' || x.key || ':' || x.ago), o.id, pg_temp.seed_id(x.org_key || ':demo:' || x.key),
       x.score, x.scale::public.satisfaction_scale, x.comment, x.channel::public.satisfaction_channel,
       case x.who when 'rep' then o.rep_id else o.staff_id end,
       k.anchor - make_interval(days => x.ago, hours => 7), k.anchor - make_interval(days => x.ago, hours => 7)
  from (values
    ('lotus', 'li-wei', 5, 'csat5', '包装很好，茶叶新鲜。', 'wechat', 'rep', 20),
    ('lotus', 'li-wei', 9, 'nps10', null, 'phone', 'rep', 200),
    ('northwind', 'maria-garcia', 2, 'csat5', 'The tent arrived with a bent pole; the replacement took three weeks.', 'mail', 'staff', 130),
    ('northwind', 'li-wei', 9, 'nps10', 'Would recommend the sleeping bag to friends.', 'phone', 'rep', 20)
  ) as x (org_key, key, score, scale, comment, channel, who, ago)
  join seed_org o on o.key = x.org_key
  cross join seed_clock k;

insert into public.satisfaction_responses (id, org_id, customer_id, score, scale, comment, channel, recorded_by, responded_at, updated_at)
select pg_temp.seed_id(c.org_key || ':satisfaction:' || c.n), o.id, c.id,
       case when v.nps then floor(v.u * 11)::smallint else 1 + floor(v.u * 5)::smallint end,
       case when v.nps then 'nps10' else 'csat5' end::public.satisfaction_scale,
       null,
       (array['phone', 'mail', 'wechat', 'visit']::public.satisfaction_channel[])[1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction-channel') * 4)::integer],
       case when v.u < 0.6 then o.rep_id else o.staff_id end,
       k.anchor - make_interval(days => 1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction-ago') * 300)::integer, hours => 5),
       k.anchor - make_interval(days => 1 + floor(pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction-ago') * 300)::integer, hours => 5)
  from seed_customer c
  join seed_org o on o.key = c.org_key
  cross join seed_clock k
  cross join lateral (
    select pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction-score') as u,
           pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction-scale') < 0.4 as nps
  ) as v
 where c.order_count > 0
   and pg_temp.seed_u(c.org_key || ':' || c.n || ':satisfaction') < 0.067;

-- ------------------------------------------------------------------------------------------------
-- End of follow-ups, mail, owners and satisfaction visits

-- ------------------------------------------------------------------------------------------------
-- The shared pool (公海): recycle rules and owners of varied standing
--
-- Both organizations recycle owned customers nobody followed up (super 60 days, vip 45, normal 30;
-- churned customers 15) and let a rep own at most 400 customers. Owners took their generated
-- customers between 2 and 45 days ago, so that some return to the pool within days ("returns in N
-- days" on the card, my_pool_returns in the popup) and some are already due (the first drift pass
-- returns them to the pool, recorded as recycled); the customers without an owner are the pool.

update public.customers c
   set owned_since = greatest(c.created_at,
         k.anchor - make_interval(days => 2 + floor(pg_temp.seed_u(s.org_key || ':' || s.n || ':owned-since') * 44)::integer,
                                  hours => floor(pg_temp.seed_u(s.org_key || ':' || s.n || ':owned-hour') * 24)::integer))
  from seed_customer s
  join seed_org o on o.key = s.org_key
  cross join seed_clock k
 where c.org_id = o.id and c.id = s.id and c.owner_id is not null;

update public.organizations g
   set settings = g.settings || '{"pool": {"recycle_days": {"by_tier": {"super": 60, "vip": 45, "normal": 30},
                                                             "by_stage": {"churned": 15}},
                                           "max_owned_per_rep": 400}}'::jsonb
  from seed_org o
 where g.id = o.id;

-- ------------------------------------------------------------------------------------------------
-- End of the shared pool

reset jit;
drop table seed_demo, seed_tag, seed_order, seed_customer, seed_user, seed_org, seed_clock;
drop function pg_temp.seed_pick(text[], double precision), pg_temp.seed_id(text), pg_temp.seed_u(text);
