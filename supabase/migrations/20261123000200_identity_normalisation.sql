-- Identity normalisation: the stored form of the identifiers customers are found by
-- (customer_identities.value). Mirrors shared/identity.ts, which the extension and the edge
-- functions use before calling the API; tests/db/identity.test.ts checks that both agree.
--
--   email          trimmed, lowercased (ASCII only), plus-addressing kept as written
--   phone          E.164, read in the organisation's default region when written nationally
--   shop_customer  provider:id  (shopify | woocommerce, numeric id without leading zeros)
--   shop_order     provider:id
--   domain         lowercased host name without scheme, path, port, trailing dot or www.
--
-- Phone numbers follow libphonenumber (the library behind Android's phone number handling, used
-- here through libphonenumber-js with its "min" metadata): the numbering plan of every region is
-- copied into private.phone_regions and private.normalize_phone walks the same steps as the
-- library's parser (international prefix, calling code, national trunk prefix, validity).
-- libphonenumber tells apart the regions that share a calling code (+1, +44, +7, …) by per-type
-- patterns the table does not carry; for those the SQL side accepts every number that fits the
-- region's general pattern and lengths, so it accepts everything the library accepts and a few
-- more. The extension and the functions normalise with libphonenumber-js before calling the API.
--
-- A default region the table does not know is an error (22023), as it is in TypeScript; without a
-- region only numbers written with + or an international prefix can be read. The functions are
-- immutable: they read nothing but private.phone_regions, which only migrations change (an
-- expression index over them would need a reindex after such a migration).

create schema if not exists private;
grant usage on schema private to authenticated, service_role;

create table private.phone_regions (
  region text not null,
  calling_code text not null,
  calling_code_rank smallint not null,
  calling_code_regions smallint not null,
  international_prefix text not null,
  trunk_prefix text,
  trunk_prefix_for_parsing text,
  trunk_prefix_transform text,
  national_number_lengths smallint[] not null,
  national_number_pattern text not null,
  leading_digits text,
  has_number_types boolean not null,
  constraint phone_regions_region_is_alpha2 check (region ~ '^[A-Z]{2}$'),
  constraint phone_regions_calling_code_is_digits check (calling_code ~ '^[1-9][0-9]{0,2}$'),
  constraint phone_regions_lengths_not_empty check (cardinality(national_number_lengths) > 0),
  -- Both keys carry every other column, so that a lookup reads the index alone (an index-only
  -- scan costs less than reading the table's few pages; a plain index scan would not).
  constraint phone_regions_pkey primary key (region)
    include (calling_code, calling_code_rank, calling_code_regions, international_prefix, trunk_prefix,
             trunk_prefix_for_parsing, trunk_prefix_transform, national_number_lengths, national_number_pattern,
             leading_digits, has_number_types),
  constraint phone_regions_one_region_per_rank unique (calling_code, calling_code_rank)
    include (region, calling_code_regions, international_prefix, trunk_prefix, trunk_prefix_for_parsing,
             trunk_prefix_transform, national_number_lengths, national_number_pattern, leading_digits,
             has_number_types)
)
-- An index-only scan is cheaper than reading the table only once the table is marked all-visible,
-- which takes a vacuum; autovacuum does none for the 245 rows inserted below (the default insert
-- threshold is 1,000), so the threshold is 0 here: the first autovacuum vacuums the table, nothing
-- changes it afterwards.
with (autovacuum_vacuum_insert_threshold = 0);

comment on table private.phone_regions is
  'Numbering plan per region, copied from libphonenumber-js 1.13.16 (min metadata) by supabase/local/phone-regions.ts. Read by private.normalize_phone; changed only by migrations.';
comment on column private.phone_regions.region is 'ISO 3166-1 alpha-2 region code (plus AC, TA, XK as libphonenumber names them); an organisation''s default phone region is one of these.';
comment on column private.phone_regions.calling_code is 'Country calling code without +, e.g. 86 for CN, 1 for US and CA.';
comment on column private.phone_regions.calling_code_rank is 'Order among the regions sharing the calling code; 0 is the region whose rules apply to +CC numbers (US for +1, GB for +44).';
comment on column private.phone_regions.calling_code_regions is 'How many regions share the calling code (25 for +1, 1 for +86).';
comment on column private.phone_regions.international_prefix is 'Regular expression for the prefix dialled before a calling code from this region (00, 011, 0[0-3]\d for SG).';
comment on column private.phone_regions.trunk_prefix is 'National trunk prefix written before national numbers (0 in CN, GB, DE; 1 in the NANP), or null.';
comment on column private.phone_regions.trunk_prefix_for_parsing is 'Regular expression matching the trunk prefix (and carrier codes) to strip from a national number; null when there is none.';
comment on column private.phone_regions.trunk_prefix_transform is 'Replacement (with \1 back-references) applied instead of stripping, for regions whose short local numbers get an area code prepended.';
comment on column private.phone_regions.national_number_lengths is 'Possible lengths of the national significant number, ascending.';
comment on column private.phone_regions.national_number_pattern is 'Regular expression every valid national significant number of the region matches entirely.';
comment on column private.phone_regions.leading_digits is 'For regions sharing a calling code: the leading digits that identify this region''s numbers, or null.';
comment on column private.phone_regions.has_number_types is 'True where libphonenumber also checks per-type patterns (regions sharing a calling code); SQL accepts the general pattern there.';

insert into private.phone_regions (
  region, calling_code, calling_code_rank, calling_code_regions, international_prefix, trunk_prefix,
  trunk_prefix_for_parsing, trunk_prefix_transform, national_number_lengths, national_number_pattern, leading_digits,
  has_number_types
) values
  ('AC', '247', 0, 1, '00', null, null, null, '{5,6}', '(?:[01589]\d|[2-467])\d{4}', null, false),
  ('AD', '376', 0, 1, '00', null, null, null, '{6,8,9}', '(?:1|6\d)\d{7}|[135-9]\d{5}', null, false),
  ('AE', '971', 0, 1, '00', '0', '0', null, '{5,6,7,8,9,10,11,12}', '(?:[4-7]\d|9[0-689])\d{7}|800\d{2,9}|[2-4679]\d{7}', null, false),
  ('AF', '93', 0, 1, '00', '0', '0', null, '{9}', '[2-7]\d{8}', null, false),
  ('AG', '1', 1, 25, '011', '1', '([457]\d{6})$|1', '268\1', '{10}', '(?:268|[58]\d\d|900)\d{7}', '268', false),
  ('AI', '1', 2, 25, '011', '1', '([2457]\d{6})$|1', '264\1', '{10}', '(?:264|[58]\d\d|900)\d{7}', '264', false),
  ('AL', '355', 0, 1, '00', '0', '0', null, '{6,7,8,9}', '(?:700\d\d|900)\d{3}|8\d{5,7}|(?:[2-5]|6\d)\d{7}', null, false),
  ('AM', '374', 0, 1, '00', '0', '0', null, '{8}', '(?:[1-489]\d|55|60|77)\d{6}', null, false),
  ('AO', '244', 0, 1, '00', null, null, null, '{9}', '[29]\d{8}', null, false),
  ('AR', '54', 0, 1, '00', '0', '0?(?:(11|2(?:2(?:02?|[13]|2[13-79]|4[1-6]|5[2457]|6[124-8]|7[1-4]|8[13-6]|9[1267])|3(?:02?|1[467]|2[03-6]|3[13-8]|[49][2-6]|5[2-8]|[67])|4(?:7[3-578]|9)|6(?:[0136]|2[24-6]|4[6-8]?|5[15-8])|80|9(?:0[1-3]|[19]|2\d|3[1-6]|4[02568]?|5[2-4]|6[2-46]|72?|8[23]?))|3(?:3(?:2[79]|6|8[2578])|4(?:0[0-24-9]|[12]|3[5-8]?|4[24-7]|5[4-68]?|6[02-9]|7[126]|8[2379]?|9[1-36-8])|5(?:1|2[1245]|3[237]?|4[1-46-9]|6[2-4]|7[1-6]|8[2-5]?)|6[24]|7(?:[069]|1[1568]|2[15]|3[145]|4[13]|5[14-8]|7[2-57]|8[126])|8(?:[01]|2[15-7]|3[2578]?|4[13-6]|5[4-8]?|6[1-357-9]|7[36-8]?|8[5-8]?|9[124])))15)?', '9\1', '{10,11}', '(?:11|[89]\d\d)\d{8}|[2368]\d{9}', null, false),
  ('AS', '1', 3, 25, '011', '1', '([267]\d{6})$|1', '684\1', '{10}', '(?:[58]\d\d|684|900)\d{7}', '684', false),
  ('AT', '43', 0, 1, '00', '0', '0', null, '{4,5,6,7,8,9,10,11,12,13}', '1\d{3,12}|2\d{6,12}|43(?:(?:0\d|5[02-9])\d{3,9}|2\d{4,5}|[3467]\d{4}|8\d{4,6}|9\d{4,7})|5\d{4,12}|8\d{7,12}|9\d{8,12}|(?:[367]\d|4[0-24-9])\d{4,11}', null, false),
  ('AU', '61', 0, 3, '001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011', '0', '(183[12])|0', null, '{5,6,7,8,9,10,12}', '1(?:[0-79]\d{7}(?:\d(?:\d{2})?)?|8[0-24-9]\d{7})|[2-478]\d{8}|1\d{4,7}', null, true),
  ('AW', '297', 0, 1, '00', null, null, null, '{7}', '(?:[25-79]\d\d|800)\d{4}', null, false),
  ('AX', '358', 1, 2, '00|99(?:[01469]|5(?:[14]1|3[23]|5[59]|77|88|9[09]))', '0', '0', null, '{5,6,7,8,9,10,11,12}', '2\d{4,9}|35\d{4,5}|(?:60\d\d|800)\d{4,6}|7\d{5,11}|(?:[14]\d|3[0-46-9]|50)\d{4,8}', '18', false),
  ('AZ', '994', 0, 1, '00', '0', '0', null, '{9}', '365\d{6}|(?:[124579]\d|60|88)\d{7}', null, false),
  ('BA', '387', 0, 1, '00', '0', '0', null, '{8,9}', '6\d{8}|(?:[35689]\d|49|70)\d{6}', null, false),
  ('BB', '1', 4, 25, '011', '1', '([2-9]\d{6})$|1', '246\1', '{10}', '(?:246|[58]\d\d|900)\d{7}', '246', false),
  ('BD', '880', 0, 1, '00', '0', '0', null, '{6,7,8,9,10}', '[1-469]\d{9}|8[0-79]\d{7,8}|[2-79]\d{8}|[2-9]\d{7}|[3-9]\d{6}|[57-9]\d{5}', null, false),
  ('BE', '32', 0, 1, '00', '0', '0', null, '{8,9}', '4\d{8}|[1-9]\d{7}', null, false),
  ('BF', '226', 0, 1, '00', null, null, null, '{8}', '[024-7]\d{7}', null, false),
  ('BG', '359', 0, 1, '00', '0', '0', null, '{6,7,8,9,12}', '00800\d{7}|[2-7]\d{6,7}|[89]\d{6,8}|2\d{5}', null, false),
  ('BH', '973', 0, 1, '00', null, null, null, '{8}', '[136-9]\d{7}', null, false),
  ('BI', '257', 0, 1, '00', null, null, null, '{8}', '(?:[267]\d|31)\d{6}', null, false),
  ('BJ', '229', 0, 1, '00', null, null, null, '{10}', '01\d{8}', null, false),
  ('BL', '590', 1, 3, '00', '0', '0', null, '{9}', '7090\d{5}|(?:[56]9|[89]\d)\d{7}', null, true),
  ('BM', '1', 5, 25, '011', '1', '([2-9]\d{6})$|1', '441\1', '{10}', '(?:441|[58]\d\d|900)\d{7}', '441', false),
  ('BN', '673', 0, 1, '00', null, null, null, '{7}', '[2-578]\d{6}', null, false),
  ('BO', '591', 0, 1, '00(?:1\d)?', '0', '0(1\d)?', null, '{8,9}', '(?:[2-7]\d\d|8001)\d{5}', null, false),
  ('BQ', '599', 1, 2, '00', null, null, null, '{7}', '(?:[34]1|7\d)\d{5}', '[347]', false),
  ('BR', '55', 0, 1, '00(?:1[245]|2[1-35]|31|4[13]|[56]5|99)', '0', '(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\d{10,11}))?', '\2', '{8,9,10,11}', '[1-467]\d{9,10}|55[0-46-9]\d{8}|[34]\d{7}|55\d{7,8}|(?:5[0-46-9]|[89]\d)\d{7,9}', null, false),
  ('BS', '1', 6, 25, '011', '1', '([3-8]\d{6})$|1', '242\1', '{10}', '(?:242|[58]\d\d|900)\d{7}', '242', false),
  ('BT', '975', 0, 1, '00', null, null, null, '{7,8}', '[178]\d{7}|[2-8]\d{6}', null, false),
  ('BW', '267', 0, 1, '00', null, null, null, '{7,8,10}', '90\d{5}|(?:0800|[2-6]|(?:7|800)\d)\d{6}', null, false),
  ('BY', '375', 0, 1, '810', '8', '0|80?', null, '{6,7,8,9,10,11}', '(?:[12]\d|33|44|902)\d{7}|8(?:0[0-79]\d{5,7}|[1-7]\d{9})|8(?:1[0-489]|[5-79]\d)\d{7}|8[1-79]\d{6,7}|8[0-79]\d{5}|8\d{5}', null, false),
  ('BZ', '501', 0, 1, '00', null, null, null, '{7,11}', '(?:0800\d|[2-8])\d{6}', null, false),
  ('CA', '1', 7, 25, '011', '1', '1', null, '{7,10}', '[2-9]\d{9}|3\d{6}', null, true),
  ('CC', '61', 1, 3, '001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011', '0', '([59]\d{7})$|0', '8\1', '{6,7,8,9,10,12}', '1(?:[0-79]\d{8}(?:\d{2})?|8[0-24-9]\d{7})|[148]\d{8}|1\d{5,7}', null, true),
  ('CD', '243', 0, 1, '00', '0', '0', null, '{7,8,9,10}', '(?:(?:[189]|5\d)\d|2)\d{7}|[1-68]\d{6}', null, false),
  ('CF', '236', 0, 1, '00', null, null, null, '{8}', '8776\d{4}|(?:[27]\d|61)\d{6}', null, false),
  ('CG', '242', 0, 1, '00', null, null, null, '{9}', '222\d{6}|(?:0\d|80)\d{7}', null, false),
  ('CH', '41', 0, 1, '00', '0', '0', null, '{9,12}', '8\d{11}|[2-9]\d{8}', null, false),
  ('CI', '225', 0, 1, '00', null, null, null, '{10}', '[02]\d{9}', null, false),
  ('CK', '682', 0, 1, '00', null, null, null, '{5}', '[2-578]\d{4}', null, false),
  ('CL', '56', 0, 1, '(?:0|1(?:1[0-69]|2[02-5]|5[13-58]|69|7[0167]|8[018]))0', null, null, null, '{9,10,11}', '12300\d{6}|6\d{9,10}|[2-9]\d{8}', null, false),
  ('CM', '237', 0, 1, '00', null, null, null, '{8,9}', '[26]\d{8}|88\d{6,7}', null, false),
  ('CN', '86', 0, 1, '00|1(?:[12]\d|79)\d\d00', '0', '(1(?:[12]\d|79)\d\d)|0', null, '{7,8,9,10,11,12}', '(?:(?:1[03-689]|2\d)\d\d|6)\d{8}|1\d{10}|[126]\d{6}(?:\d(?:\d{2})?)?|86\d{5,6}|(?:[3-579]\d|8[0-57-9])\d{5,9}', null, false),
  ('CO', '57', 0, 1, '00(?:4(?:[14]4|56)|[579])', '0', '0([3579]|4(?:[14]4|56))?', null, '{8,10,11}', '(?:46|60\d\d)\d{6}|(?:1\d|[39])\d{9}', null, false),
  ('CR', '506', 0, 1, '00', null, '(19(?:0[0-2468]|1[09]|20|66|77|99))', null, '{8,10}', '(?:8\d|90)\d{8}|(?:[24-8]\d{3}|3005)\d{4}', null, false),
  ('CU', '53', 0, 1, '119', '0', '0', null, '{6,7,8,10}', '(?:[2-7]|8\d\d)\d{7}|[2-47]\d{6}|[34]\d{5}', null, false),
  ('CV', '238', 0, 1, '0', null, null, null, '{7}', '(?:[2-59]\d\d|800)\d{4}', null, false),
  ('CW', '599', 0, 2, '00', null, null, null, '{7,8}', '(?:[34]1|60|(?:7|9\d)\d)\d{5}', '[69]', false),
  ('CX', '61', 2, 3, '001[14-689]|14(?:1[14]|34|4[17]|[56]6|7[47]|88)0011', '0', '([59]\d{7})$|0', '8\1', '{6,7,8,9,10,12}', '1(?:[0-79]\d{8}(?:\d{2})?|8[0-24-9]\d{7})|[148]\d{8}|1\d{5,7}', null, true),
  ('CY', '357', 0, 1, '00', null, null, null, '{8}', '(?:[279]\d|[58]0)\d{6}', null, false),
  ('CZ', '420', 0, 1, '00', null, null, null, '{9,10,11,12}', '(?:[2-578]\d|60)\d{7}|9\d{8,11}', null, false),
  ('DE', '49', 0, 1, '00', '0', '0', null, '{4,5,6,7,8,9,10,11,12,13,14,15}', '[2579]\d{5,14}|49(?:[34]0|69|8\d)\d\d?|49(?:37|49|60|7[089]|9\d)\d{1,3}|49(?:2[024-9]|3[2-689]|7[1-7])\d{1,8}|(?:1|[368]\d|4[0-8])\d{3,13}|49(?:[015]\d|2[13]|31|[46][1-8])\d{1,9}', null, false),
  ('DJ', '253', 0, 1, '00', null, null, null, '{8}', '(?:2\d|77)\d{6}', null, false),
  ('DK', '45', 0, 1, '00', null, null, null, '{8}', '[2-9]\d{7}', null, false),
  ('DM', '1', 8, 25, '011', '1', '([2-7]\d{6})$|1', '767\1', '{10}', '(?:[58]\d\d|767|900)\d{7}', '767', false),
  ('DO', '1', 9, 25, '011', '1', '1', null, '{10}', '(?:[58]\d\d|900)\d{7}', '8001|8[024]9', false),
  ('DZ', '213', 0, 1, '00', '0', '0', null, '{8,9}', '(?:[1-4]|[5-79]\d|80)\d{7}', null, false),
  ('EC', '593', 0, 1, '00', '0', '0', null, '{8,9,10,11}', '1\d{9,10}|(?:[2-7]|9\d)\d{7}', null, false),
  ('EE', '372', 0, 1, '00', null, null, null, '{7,8,10}', '8\d{9}|[4578]\d{7}|(?:[3-8]\d|90)\d{5}', null, false),
  ('EG', '20', 0, 1, '00', '0', '0', null, '{8,9,10}', '[189]\d{8,9}|[24-6]\d{8}|[135]\d{7}', null, false),
  ('EH', '212', 1, 2, '00', '0', '0', null, '{9}', '[5-8]\d{8}', null, true),
  ('ER', '291', 0, 1, '00', '0', '0', null, '{7}', '[178]\d{6}', null, false),
  ('ES', '34', 0, 1, '00', null, null, null, '{9}', '400\d{6}|(?:51|[6-9]\d)\d{7}', null, false),
  ('ET', '251', 0, 1, '00', '0', '0', null, '{9}', '(?:11|[2-57-9]\d)\d{7}', null, false),
  ('FI', '358', 0, 2, '00|99(?:[01469]|5(?:[14]1|3[23]|5[59]|77|88|9[09]))', '0', '0', null, '{5,6,7,8,9,10,11,12}', '[1-35689]\d{4}|7\d{10,11}|(?:[124-7]\d|3[0-46-9])\d{8}|[1-9]\d{5,8}', '1[03-79]|[2-9]', false),
  ('FJ', '679', 0, 1, '0(?:0|52)', null, null, null, '{7,11}', '45\d{5}|(?:0800\d|[235-9])\d{6}', null, false),
  ('FK', '500', 0, 1, '00', null, null, null, '{5}', '[2-7]\d{4}', null, false),
  ('FM', '691', 0, 1, '00', null, null, null, '{7}', '(?:[39]\d\d|820)\d{4}', null, false),
  ('FO', '298', 0, 1, '00', null, '(10(?:01|[12]0|88))', null, '{6}', '[2-9]\d{5}', null, false),
  ('FR', '33', 0, 1, '00', '0', '0', null, '{9}', '[1-9]\d{8}', null, false),
  ('GA', '241', 0, 1, '00', null, '0(11\d{6}|60\d{6}|61\d{6}|6[256]\d{6}|7[467]\d{6})', '\1', '{7,8}', '(?:[067]\d|11)\d{6}|[2-7]\d{6}', null, false),
  ('GB', '44', 0, 4, '00', '0', '0|180020', null, '{7,9,10}', '[1-357-9]\d{9}|[18]\d{8}|8\d{6}', null, true),
  ('GD', '1', 10, 25, '011', '1', '([2-9]\d{6})$|1', '473\1', '{10}', '(?:473|[58]\d\d|900)\d{7}', '473', false),
  ('GE', '995', 0, 1, '00', '0', '0', null, '{9}', '(?:[3-57]\d\d|800)\d{6}', null, false),
  ('GF', '594', 0, 1, '00', '0', '0', null, '{9}', '(?:694\d|7093)\d{5}|(?:59|[89]\d)\d{7}', null, false),
  ('GG', '44', 1, 4, '00', '0', '([25-9]\d{5})$|0|180020', '1481\1', '{7,9,10}', '(?:1481|[357-9]\d{3})\d{6}|8\d{6}(?:\d{2})?', null, true),
  ('GH', '233', 0, 1, '00', '0', '0', null, '{8,9}', '[235]\d{8}|800\d{5,6}', null, false),
  ('GI', '350', 0, 1, '00', null, null, null, '{8}', '(?:[25]\d|60)\d{6}', null, false),
  ('GL', '299', 0, 1, '00', null, null, null, '{6}', '(?:19|[2-689]\d|70)\d{4}', null, false),
  ('GM', '220', 0, 1, '00', null, null, null, '{7,9}', '[48]\d{8}|[2-9]\d{6}', null, false),
  ('GN', '224', 0, 1, '00', null, null, null, '{8,9}', '722\d{6}|(?:3|6\d)\d{7}', null, false),
  ('GP', '590', 0, 3, '00', '0', '0', null, '{9}', '7090\d{5}|(?:[56]9|[89]\d)\d{7}', null, true),
  ('GQ', '240', 0, 1, '00', null, null, null, '{9}', '222\d{6}|(?:3\d|55|[89]0)\d{7}', null, false),
  ('GR', '30', 0, 1, '00', null, null, null, '{10,11,12}', '5005000\d{3}|8\d{9,11}|(?:[269]\d|70)\d{8}', null, false),
  ('GT', '502', 0, 1, '00', null, null, null, '{8,11}', '80\d{6}|(?:1\d{3}|[2-7])\d{7}', null, false),
  ('GU', '1', 11, 25, '011', '1', '([2-9]\d{6})$|1', '671\1', '{10}', '(?:[58]\d\d|671|900)\d{7}', '671', false),
  ('GW', '245', 0, 1, '00', null, null, null, '{7,9}', '[49]\d{8}|4\d{6}', null, false),
  ('GY', '592', 0, 1, '001', null, null, null, '{7}', '(?:[2-8]\d{3}|9008)\d{3}', null, false),
  ('HK', '852', 0, 1, '00(?:30|5[09]|[126-9]?)', null, null, null, '{5,6,7,8,9,11}', '8[0-46-9]\d{6,7}|9\d{4,7}|(?:[2-7]|9\d{3})\d{7}', null, false),
  ('HN', '504', 0, 1, '00', null, null, null, '{8,11}', '8\d{10}|[237-9]\d{7}', null, false),
  ('HR', '385', 0, 1, '00', '0', '0', null, '{7,8,9}', '[2-69]\d{8}|80\d{5,7}|[1-79]\d{7}|6\d{6}', null, false),
  ('HT', '509', 0, 1, '00', null, null, null, '{8}', '[2-589]\d{7}', null, false),
  ('HU', '36', 0, 1, '00', '06', '06', null, '{8,9}', '[235-7]\d{8}|[1-9]\d{7}', null, false),
  ('ID', '62', 0, 1, '00[89]', '0', '0', null, '{7,8,9,10,11,12,13,14,15,16,17}', '00[1-9]\d{9,14}|(?:[1-36]|8\d{5})\d{6}|00\d{9}|[1-9]\d{8,10}|[2-9]\d{7}', null, false),
  ('IE', '353', 0, 1, '00', '0', '0', null, '{7,8,9,10}', '(?:1\d|[2569])\d{6,8}|4\d{6,9}|7\d{8}|8\d{8,9}', null, false),
  ('IL', '972', 0, 1, '0(?:0|1(?:05|[2-9]))', '0', '0', null, '{7,8,9,10,11,12}', '1\d{6}(?:\d{3,5})?|[57]\d{8}|[1-489]\d{7}', null, false),
  ('IM', '44', 2, 4, '00', '0', '([25-8]\d{5})$|0|180020', '1624\1', '{10}', '1624\d{6}|(?:[3578]\d|90)\d{8}', '74576|(?:16|7[56])24', false),
  ('IN', '91', 0, 1, '00', '0', '0', null, '{8,9,10,11,12,13}', '(?:000800|[2-9]\d\d)\d{7}|1\d{7,12}', null, false),
  ('IO', '246', 0, 1, '00', null, null, null, '{7}', '3\d{6}', null, false),
  ('IQ', '964', 0, 1, '00', '0', '0', null, '{8,9,10}', '(?:1|7\d\d)\d{7}|[2-6]\d{7,8}', null, false),
  ('IR', '98', 0, 1, '00', '0', '0', null, '{4,5,6,7,10}', '[1-9]\d{9}|(?:[1-8]\d\d|9)\d{3,4}', null, false),
  ('IS', '354', 0, 1, '00|1(?:0(?:01|[12]0)|100)', null, null, null, '{7,9}', '(?:38\d|[4-9])\d{6}', null, false),
  ('IT', '39', 0, 2, '00', null, null, null, '{6,7,8,9,10,11,12}', '0\d{5,11}|1\d{8,10}|3(?:[0-8]\d{7,10}|9\d{7,8})|(?:43|55|70)\d{8}|8\d{5}(?:\d{2,4})?', null, true),
  ('JE', '44', 3, 4, '00', '0', '([0-24-8]\d{5})$|0|180020', '1534\1', '{10}', '1534\d{6}|(?:[3578]\d|90)\d{8}', null, true),
  ('JM', '1', 12, 25, '011', '1', '1', null, '{10}', '(?:[58]\d\d|658|900)\d{7}', '658|876', false),
  ('JO', '962', 0, 1, '00', '0', '0', null, '{8,9}', '(?:(?:[2689]|7\d)\d|32|427|53)\d{6}', null, false),
  ('JP', '81', 0, 1, '010', '0', '(000[2569]\d{4,6})$|(?:(?:003768)0?)|0', '\1', '{8,9,10,11,12,13,14,15,16,17}', '00[1-9]\d{6,14}|[25-9]\d{9}|(?:00|[1-9]\d\d)\d{6}', null, false),
  ('KE', '254', 0, 1, '000', '0', '0', null, '{7,8,9,10}', '(?:[17]\d\d|900)\d{6}|(?:2|80)0\d{6,7}|[4-6]\d{6,8}', null, false),
  ('KG', '996', 0, 1, '00', '0', '0', null, '{9,10}', '8\d{9}|[235-9]\d{8}', null, false),
  ('KH', '855', 0, 1, '00[14-9]', '0', '0', null, '{8,9,10}', '1\d{9}|[1-9]\d{7,8}', null, false),
  ('KI', '686', 0, 1, '00', '0', '0', null, '{5,8}', '(?:[37]\d|6[0-79])\d{6}|(?:[2-48]\d|50)\d{3}', null, false),
  ('KM', '269', 0, 1, '00', null, null, null, '{7}', '[3478]\d{6}', null, false),
  ('KN', '1', 13, 25, '011', '1', '([2-7]\d{6})$|1', '869\1', '{10}', '(?:[58]\d\d|900)\d{7}', '869', false),
  ('KP', '850', 0, 1, '00|99', '0', '0', null, '{8,10}', '85\d{6}|(?:19\d|[2-7])\d{7}', null, false),
  ('KR', '82', 0, 1, '00(?:[125689]|3(?:[46]5|91)|7(?:00|27|3|55|6[126]))', '0', '0(8(?:[1-46-8]|5\d\d))?', null, '{5,6,8,9,10,11,12,13,14}', '00[1-9]\d{8,11}|(?:[12]|5\d{3})\d{7}|[13-6]\d{9}|(?:[1-6]\d|80)\d{7}|[3-6]\d{4,5}|(?:00|7)0\d{8}', null, false),
  ('KW', '965', 0, 1, '00', null, null, null, '{7,8}', '18\d{5}|(?:[2569]\d|41)\d{6}', null, false),
  ('KY', '1', 14, 25, '011', '1', '([2-9]\d{6})$|1', '345\1', '{10}', '(?:345|[58]\d\d|900)\d{7}', '345', false),
  ('KZ', '7', 1, 2, '810', '8', '8', null, '{10,14}', '8\d{13}|[78]\d{9}', '7', false),
  ('LA', '856', 0, 1, '00', '0', '0', null, '{8,9,10}', '(?:2\d|3)\d{8}|(?:[235-8]\d|41)\d{6}', null, false),
  ('LB', '961', 0, 1, '00', '0', '0', null, '{7,8}', '[27-9]\d{7}|[13-9]\d{6}', null, false),
  ('LC', '1', 15, 25, '011', '1', '([2-8]\d{6})$|1', '758\1', '{10}', '(?:[58]\d\d|758|900)\d{7}', '758', false),
  ('LI', '423', 0, 1, '00', '0', '(1001)|0', null, '{7,9}', '[68]\d{8}|(?:[2378]\d|90)\d{5}', null, false),
  ('LK', '94', 0, 1, '00', '0', '0', null, '{9}', '[1-9]\d{8}', null, false),
  ('LR', '231', 0, 1, '00', '0', '0', null, '{7,8,9}', '(?:[2457]\d|33|88)\d{7}|(?:2\d|[4-6])\d{6}', null, false),
  ('LS', '266', 0, 1, '00', null, null, null, '{8}', '(?:[256]\d\d|800)\d{5}', null, false),
  ('LT', '370', 0, 1, '00', '0', '[08]', null, '{8}', '(?:[3469]\d|52|[78]0)\d{6}', null, false),
  ('LU', '352', 0, 1, '00', null, '(15(?:0[06]|1[12]|[35]5|4[04]|6[26]|77|88|99)\d)', null, '{4,5,6,7,8,9,10,11}', '35[013-9]\d{4,8}|6\d{8}|35\d{2,4}|(?:[2457-9]\d|3[0-46-9])\d{2,9}', null, false),
  ('LV', '371', 0, 1, '00', null, null, null, '{8}', '(?:[268]\d|78|90)\d{6}', null, false),
  ('LY', '218', 0, 1, '00', '0', '0', null, '{9}', '[2-9]\d{8}', null, false),
  ('MA', '212', 0, 2, '00', '0', '0', null, '{9}', '[5-8]\d{8}', '[5-8]', false),
  ('MC', '377', 0, 1, '00', '0', '0', null, '{8,9}', '(?:[3489]|[67]\d)\d{7}', null, false),
  ('MD', '373', 0, 1, '00', '0', '0', null, '{8}', '(?:[235-7]\d|[89]0)\d{6}', null, false),
  ('ME', '382', 0, 1, '00', '0', '0', null, '{8,9}', '(?:20|[3-79]\d)\d{6}|80\d{6,7}', null, false),
  ('MF', '590', 2, 3, '00', '0', '0', null, '{9}', '7090\d{5}|(?:[56]9|[89]\d)\d{7}', null, true),
  ('MG', '261', 0, 1, '00', '0', '([24-9]\d{6})$|0', '20\1', '{9}', '[23]\d{8}', null, false),
  ('MH', '692', 0, 1, '011', '1', '1', null, '{7}', '329\d{4}|(?:[256]\d|45)\d{5}', null, false),
  ('MK', '389', 0, 1, '00', '0', '0', null, '{8}', '[2-578]\d{7}', null, false),
  ('ML', '223', 0, 1, '00', null, null, null, '{8}', '[24-9]\d{7}', null, false),
  ('MM', '95', 0, 1, '00', '0', '0', null, '{6,7,8,9,10}', '1\d{5,7}|95\d{6}|(?:[4-7]|9[0-46-9])\d{6,8}|(?:2|8\d)\d{5,8}', null, false),
  ('MN', '976', 0, 1, '001', '0', '0', null, '{8,9,10}', '[12]\d{7,9}|[5-9]\d{7}', null, false),
  ('MO', '853', 0, 1, '00', null, null, null, '{7,8}', '0800\d{3}|(?:28|[68]\d)\d{6}', null, false),
  ('MP', '1', 16, 25, '011', '1', '([2-9]\d{6})$|1', '670\1', '{10}', '[58]\d{9}|(?:67|90)0\d{7}', '670', false),
  ('MQ', '596', 0, 1, '00', '0', '0', null, '{9}', '7091\d{5}|(?:[56]9|[89]\d)\d{7}', null, false),
  ('MR', '222', 0, 1, '00', null, null, null, '{8}', '(?:[2-4]\d\d|800)\d{5}', null, false),
  ('MS', '1', 17, 25, '011', '1', '([34]\d{6})$|1', '664\1', '{10}', '(?:[58]\d\d|664|900)\d{7}', '664', false),
  ('MT', '356', 0, 1, '00', null, null, null, '{8}', '3550\d{4}|(?:[2579]\d\d|800)\d{5}', null, false),
  ('MU', '230', 0, 1, '0(?:0|[24-7]0|3[03])', null, null, null, '{7,8,10}', '(?:[57]|8\d\d)\d{7}|[2-468]\d{6}', null, false),
  ('MV', '960', 0, 1, '0(?:0|19)', null, null, null, '{7,10}', '(?:800|9[0-57-9]\d)\d{7}|[34679]\d{6}', null, false),
  ('MW', '265', 0, 1, '00', '0', '0', null, '{7,9}', '(?:[1289]\d|31|77)\d{7}|1\d{6}', null, false),
  ('MX', '52', 0, 1, '0[09]', null, null, null, '{10}', '[2-9]\d{9}', null, false),
  ('MY', '60', 0, 1, '00', '0', '0', null, '{8,9,10}', '1\d{8,9}|(?:3\d|[4-9])\d{7}', null, false),
  ('MZ', '258', 0, 1, '00', null, null, null, '{8,9}', '(?:2|8\d)\d{7}', null, false),
  ('NA', '264', 0, 1, '00', '0', '0', null, '{8,9}', '[68]\d{7,8}', null, false),
  ('NC', '687', 0, 1, '00', null, null, null, '{6}', '(?:050|[2-57-9]\d\d)\d{3}', null, false),
  ('NE', '227', 0, 1, '00', null, null, null, '{8}', '[027-9]\d{7}', null, false),
  ('NF', '672', 0, 1, '00', null, '([0-258]\d{4})$', '3\1', '{6}', '[13]\d{5}', null, false),
  ('NG', '234', 0, 1, '009', '0', '0', null, '{10,11,12,13,14}', '(?:20|9\d)\d{8}|[78]\d{9,13}', null, false),
  ('NI', '505', 0, 1, '00', null, null, null, '{8}', '(?:1800|[25-8]\d{3})\d{4}', null, false),
  ('NL', '31', 0, 1, '00', '0', '0', null, '{5,6,7,8,9,10,11}', '(?:[124-7]\d\d|3(?:[02-9]\d|1[0-8]))\d{6}|8\d{6,9}|9\d{6,10}|1\d{4,5}', null, false),
  ('NO', '47', 0, 2, '00', null, null, null, '{5,8}', '(?:0|[2-9]\d{3})\d{4}', '[02-689]|7[0-8]', false),
  ('NP', '977', 0, 1, '00', '0', '0', null, '{8,10,11}', '(?:1\d|9)\d{9}|[1-9]\d{7}', null, false),
  ('NR', '674', 0, 1, '00', null, null, null, '{7}', '(?:222|444|(?:55|8\d)\d|666|777|999)\d{4}', null, false),
  ('NU', '683', 0, 1, '00', null, null, null, '{4,7}', '(?:[4-7]|888\d)\d{3}', null, false),
  ('NZ', '64', 0, 1, '0(?:0|161)', '0', '0', null, '{5,6,7,8,9,10}', '[1289]\d{9}|50\d{5}(?:\d{2,3})?|[27-9]\d{7,8}|(?:[34]\d|6[0-35-9])\d{6}|8\d{4,6}', null, false),
  ('OM', '968', 0, 1, '00', null, null, null, '{7,8,9}', '(?:1505|[279]\d{3}|500)\d{4}|800\d{5,6}', null, false),
  ('PA', '507', 0, 1, '00', null, null, null, '{7,8,10,11}', '(?:00800|8\d{3})\d{6}|[68]\d{7}|[1-57-9]\d{6}', null, false),
  ('PE', '51', 0, 1, '00|19(?:1[124]|77|90)00', '0', '0', null, '{8,9}', '(?:[14-8]|9\d)\d{7}', null, false),
  ('PF', '689', 0, 1, '00', null, null, null, '{6,8,9}', '4\d{5}(?:\d{2})?|8\d{7,8}', null, false),
  ('PG', '675', 0, 1, '00|140[1-3]', null, null, null, '{7,8}', '(?:180|[78]\d{3})\d{4}|(?:[2-589]\d|64)\d{5}', null, false),
  ('PH', '63', 0, 1, '00', '0', '0', null, '{6,8,9,10,11,12,13}', '(?:[2-7]|9\d)\d{8}|2\d{5}|(?:1800|8)\d{7,9}', null, false),
  ('PK', '92', 0, 1, '00', '0', '0', null, '{8,9,10,11,12}', '122\d{6}|[24-8]\d{10,11}|9(?:[013-9]\d{8,10}|2(?:[01]\d\d|2(?:[06-8]\d|1[01]))\d{7})|(?:[2-8]\d{3}|92(?:[0-7]\d|8[1-9]))\d{6}|[24-9]\d{8}|[89]\d{7}', null, false),
  ('PL', '48', 0, 1, '00', null, null, null, '{6,7,8,9,10}', '(?:6|8\d\d)\d{7}|[1-9]\d{6}(?:\d{2})?|[26]\d{5}', null, false),
  ('PM', '508', 0, 1, '00', '0', '0', null, '{6,9}', '[78]\d{8}|[2-9]\d{5}', null, false),
  ('PR', '1', 18, 25, '011', '1', '1', null, '{10}', '(?:[589]\d\d|787)\d{7}', '787|939', false),
  ('PS', '970', 0, 1, '00', '0', '0', null, '{8,9,10}', '[2489]2\d{6}|(?:1\d|5)\d{8}', null, false),
  ('PT', '351', 0, 1, '00', null, null, null, '{9}', '1693\d{5}|(?:[26-9]\d|30)\d{7}', null, false),
  ('PW', '680', 0, 1, '01[12]', null, null, null, '{7}', '(?:[24-8]\d\d|345|900)\d{4}', null, false),
  ('PY', '595', 0, 1, '00', '0', '0', null, '{6,7,8,9,10,11}', '[36-8]\d{5,8}|4\d{6,8}|59\d{6}|9\d{5,10}|(?:2\d|5[0-8])\d{6,7}', null, false),
  ('QA', '974', 0, 1, '00', null, null, null, '{7,8,9,11}', '800\d{4}|(?:2|800)\d{6}|(?:0080|[3-7])\d{7}', null, false),
  ('RE', '262', 0, 2, '00', '0', '0', null, '{9}', '709\d{6}|(?:26|[689]\d)\d{7}', null, true),
  ('RO', '40', 0, 1, '00', '0', '0', null, '{6,9}', '(?:[2378]\d|90)\d{7}|[23]\d{5}', null, false),
  ('RS', '381', 0, 1, '00', '0', '0', null, '{6,7,8,9,10,11,12}', '38[02-9]\d{6,9}|6\d{7,9}|90\d{4,8}|38\d{5,6}|(?:7\d\d|800)\d{3,9}|(?:[12]\d|3[0-79])\d{5,10}', null, false),
  ('RU', '7', 0, 2, '810', '8', '8', null, '{10,14}', '8\d{13}|[347-9]\d{9}', '[3489]', false),
  ('RW', '250', 0, 1, '00', '0', '0', null, '{8,9}', '(?:06|[27]\d\d|[89]00)\d{6}', null, false),
  ('SA', '966', 0, 1, '00', '0', '0', null, '{9,10}', '(?:[15]\d|800|92)\d{7}', null, false),
  ('SB', '677', 0, 1, '0[01]', null, null, null, '{5,7}', '[6-9]\d{6}|[1-6]\d{4}', null, false),
  ('SC', '248', 0, 1, '010|0[0-2]', null, null, null, '{7}', '(?:[2489]\d|64)\d{5}', null, false),
  ('SD', '249', 0, 1, '00', '0', '0', null, '{9}', '[19]\d{8}', null, false),
  ('SE', '46', 0, 1, '00', '0', '0', null, '{6,7,8,9,10,12}', '(?:[26]\d\d|9)\d{9}|[1-9]\d{8}|[1-689]\d{7}|[1-4689]\d{6}|2\d{5}', null, false),
  ('SG', '65', 0, 1, '0[0-3]\d', null, null, null, '{8,10,11}', '(?:(?:1\d|8)\d\d|7000)\d{7}|[3689]\d{7}', null, false),
  ('SH', '290', 0, 2, '00', null, null, null, '{4,5}', '(?:[2569]\d|8)\d{3}', '[2569]', false),
  ('SI', '386', 0, 1, '00|10(?:22|66|88|99)', '0', '0', null, '{5,6,7,8}', '[1-7]\d{7}|8\d{4,7}|90\d{4,6}', null, false),
  ('SJ', '47', 1, 2, '00', null, null, null, '{5,8}', '0\d{4}|(?:[489]\d|79)\d{6}', '79', false),
  ('SK', '421', 0, 1, '00', '0', '0', null, '{6,7,9}', '[2-689]\d{8}|[2-59]\d{6}|[2-5]\d{5}', null, false),
  ('SL', '232', 0, 1, '00', '0', '0', null, '{8}', '(?:[237-9]\d|66)\d{6}', null, false),
  ('SM', '378', 0, 1, '00', null, '([89]\d{5})$', '0549\1', '{8,10}', '(?:0549|[5-7]\d)\d{6}', null, false),
  ('SN', '221', 0, 1, '00', null, null, null, '{9}', '(?:[378]\d|93)\d{7}', null, false),
  ('SO', '252', 0, 1, '00', '0', '0', null, '{6,7,8,9}', '[346-9]\d{8}|[12679]\d{7}|[1-5]\d{6}|[1348]\d{5}', null, false),
  ('SR', '597', 0, 1, '00', null, null, null, '{6,7}', '(?:[2-5]|[6-9]\d)\d{5}', null, false),
  ('SS', '211', 0, 1, '00', '0', '0', null, '{9}', '[19]\d{8}', null, false),
  ('ST', '239', 0, 1, '00', null, null, null, '{7}', '(?:22|9\d)\d{5}', null, false),
  ('SV', '503', 0, 1, '00', null, null, null, '{7,8,11}', '[25-7]\d{7}|(?:80\d|900)\d{4}(?:\d{4})?', null, false),
  ('SX', '1', 19, 25, '011', '1', '(5\d{6})$|1', '721\1', '{10}', '7215\d{6}|(?:[58]\d\d|900)\d{7}', '721', false),
  ('SY', '963', 0, 1, '00', '0', '0', null, '{8,9}', '[1-359]\d{8}|[1-5]\d{7}', null, false),
  ('SZ', '268', 0, 1, '00', null, null, null, '{8,9}', '0800\d{4}|(?:[237]\d|900)\d{6}', null, false),
  ('TA', '290', 1, 2, '00', null, null, null, '{4}', '8\d{3}', '8', false),
  ('TC', '1', 20, 25, '011', '1', '([2-479]\d{6})$|1', '649\1', '{10}', '(?:[58]\d\d|649|900)\d{7}', '649', false),
  ('TD', '235', 0, 1, '00|16', null, null, null, '{8}', '(?:22|[3689]\d|77)\d{6}', null, false),
  ('TG', '228', 0, 1, '00', null, null, null, '{8}', '[279]\d{7}', null, false),
  ('TH', '66', 0, 1, '00[1-9]', '0', '0', null, '{8,9,10,13}', '(?:001800|[2-57]|[689]\d)\d{7}|1\d{7,9}', null, false),
  ('TJ', '992', 0, 1, '810', null, null, null, '{9}', '(?:[0-57-9]\d|66)\d{7}', null, false),
  ('TK', '690', 0, 1, '00', null, null, null, '{4,5,6,7}', '[2-47]\d{3,6}', null, false),
  ('TL', '670', 0, 1, '00', null, null, null, '{7,8}', '7\d{7}|(?:[2-47]\d|[89]0)\d{5}', null, false),
  ('TM', '993', 0, 1, '810', '8', '8', null, '{8}', '[1-7]\d{7}', null, false),
  ('TN', '216', 0, 1, '00', null, null, null, '{8}', '[2-57-9]\d{7}', null, false),
  ('TO', '676', 0, 1, '00', null, null, null, '{5,7}', '(?:0800|(?:[5-8]\d\d|999)\d)\d{3}|[2-8]\d{4}', null, false),
  ('TR', '90', 0, 1, '00', '0', '0', null, '{7,10,12,13}', '4\d{6}|8\d{11,12}|(?:[2-58]\d\d|900)\d{7}', null, false),
  ('TT', '1', 21, 25, '011', '1', '([2-46-8]\d{6})$|1', '868\1', '{10}', '(?:[58]\d\d|900)\d{7}', '868', false),
  ('TV', '688', 0, 1, '00', null, null, null, '{5,6,7}', '(?:2|7\d\d|90)\d{4}', null, false),
  ('TW', '886', 0, 1, '0(?:0[25-79]|19)', '0', '0', null, '{7,8,9,10,11}', '[2-689]\d{8}|7\d{9,10}|[2-8]\d{7}|2\d{6}', null, false),
  ('TZ', '255', 0, 1, '00[056]', '0', '0', null, '{9}', '(?:[25-8]\d|41|90)\d{7}', null, false),
  ('UA', '380', 0, 1, '00', '0', '0', null, '{9,10}', '[89]\d{9}|[3-9]\d{8}', null, false),
  ('UG', '256', 0, 1, '00[057]', '0', '0', null, '{9}', '800\d{6}|(?:[29]0|[347]\d)\d{7}', null, false),
  ('US', '1', 0, 25, '011', '1', '1', null, '{10}', '[2-9]\d{9}|3\d{6}', null, true),
  ('UY', '598', 0, 1, '0(?:0|1[3-9]\d)', '0', '0', null, '{4,5,6,7,8,9,10,11,12,13}', '0004\d{2,9}|[1249]\d{7}|2\d{3,4}|(?:[49]\d|80)\d{5}', null, false),
  ('UZ', '998', 0, 1, '00', null, null, null, '{9}', '(?:20|33|[5-9]\d)\d{7}', null, false),
  ('VA', '39', 1, 2, '00', null, null, null, '{6,7,8,9,10,11,12}', '0\d{5,10}|3[0-8]\d{7,10}|55\d{8}|8\d{5}(?:\d{2,4})?|(?:1\d|39)\d{7,8}', '06698', false),
  ('VC', '1', 22, 25, '011', '1', '([2-7]\d{6})$|1', '784\1', '{10}', '(?:[58]\d\d|784|900)\d{7}', '784', false),
  ('VE', '58', 0, 1, '00', '0', '0', null, '{10}', '[68]00\d{7}|(?:[24]\d|[59]0)\d{8}', null, false),
  ('VG', '1', 23, 25, '011', '1', '([2-578]\d{6})$|1', '284\1', '{10}', '(?:284|[58]\d\d|900)\d{7}', '284', false),
  ('VI', '1', 24, 25, '011', '1', '([2-9]\d{6})$|1', '340\1', '{10}', '[58]\d{9}|(?:34|90)0\d{7}', '340', false),
  ('VN', '84', 0, 1, '00', '0', '0', null, '{7,8,9,10}', '[12]\d{9}|[135-9]\d{8}|[16]\d{6,7}|7\d{6}', null, false),
  ('VU', '678', 0, 1, '00', null, null, null, '{5,7}', '[57-9]\d{6}|(?:[238]\d|48)\d{3}', null, false),
  ('WF', '681', 0, 1, '00', null, null, null, '{6,9}', '(?:40|72|8\d{4})\d{4}|[89]\d{5}', null, false),
  ('WS', '685', 0, 1, '0', null, null, null, '{5,6,7,10}', '(?:[2-6]|8\d{5})\d{4}|[78]\d{6}|[68]\d{5}', null, false),
  ('XK', '383', 0, 1, '00', '0', '0', null, '{8,9,10,11,12}', '2\d{7,8}|3\d{7,11}|(?:4\d\d|[89]00)\d{5}', null, false),
  ('YE', '967', 0, 1, '00', '0', '0', null, '{7,8,9}', '(?:1|7\d)\d{7}|[1-7]\d{6}', null, false),
  ('YT', '262', 1, 2, '00', '0', '0', null, '{9}', '(?:639\d|7093)\d{5}|(?:26|80|9\d)\d{7}', null, true),
  ('ZA', '27', 0, 1, '00', '0', '0', null, '{5,6,7,8,9,10}', '[1-79]\d{8}|8\d{4,9}', null, false),
  ('ZM', '260', 0, 1, '00', '0', '0', null, '{9}', '800\d{6}|(?:21|[579]\d|63)\d{7}', null, false),
  ('ZW', '263', 0, 1, '00', '0', '0', null, '{7,9,10}', '8\d{6}(?:\d{3})?|[235-8]\d{8}', null, false);

revoke all on private.phone_regions from public, anon;
grant select on private.phone_regions to authenticated, service_role;

-- Fullwidth ASCII variants (typed with East Asian input methods) become ASCII, invisible characters
-- copied along from web pages (zero-width space / non-joiner / joiner, word joiner, byte-order
-- mark, soft hyphen) disappear, and surrounding whitespace is trimmed.
create function private.clean_identifier_text(value text) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
begin
  -- Printable ASCII without spaces has nothing to fold, remove or trim (the common case).
  if value ~ '^[!-~]*$' then
    return value;
  end if;
  return regexp_replace(
    translate(
      value,
      '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～'
        || U&'\200B\200C\200D\2060\FEFF\00AD',
      '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
    ),
    '^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+|[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+$',
    '',
    'g'
  );
end;
$$;

comment on function private.clean_identifier_text(text) is
  'Folds fullwidth ASCII to ASCII, removes zero-width characters and soft hyphens, trims whitespace: the first step of every identifier normaliser (as in shared/identity.ts).';

create function private.normalize_email(value text) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
declare
  email text;
begin
  if length(value) > 512 then
    return null;
  end if;
  -- Lowercased in the C collation: ASCII letters only, as the shared rule has it (and several
  -- times faster than translate()).
  email := lower(private.clean_identifier_text(value) collate "C");
  -- Label lengths (at most 63) are checked apart from the pattern: counted repetitions make
  -- Postgres regular expressions several times slower, and a domain shorter than 64 characters
  -- has no label that long.
  if length(email) <= 254
    and position('@' in email) between 2 and 65
    and email ~ '^[a-z0-9!#$%&''*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z][a-z]+|xn--[a-z0-9-]+)$'
    and (length(email) - position('@' in email) < 64 or split_part(email, '@', 2) !~ '[^.]{64}') then
    return email;
  end if;
  return null;
end;
$$;

comment on function private.normalize_email(text) is
  'The stored form of an email address: trimmed and lowercased, plus-addressing kept as written; null when the value is not an (ASCII) email address.';

create function private.normalize_domain(value text) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
declare
  host text;
begin
  if length(value) > 2048 then
    return null;
  end if;
  host := lower(private.clean_identifier_text(value) collate "C");  -- ASCII letters only (as normalize_email)
  host := regexp_replace(host, '^https?://', '');
  host := substring(host from '^[^/?#]*');
  host := regexp_replace(host, ':[0-9]{1,5}$', '');
  host := regexp_replace(host, '\.$', '');
  if left(host, 4) = 'www.' and strpos(substr(host, 5), '.') > 0 then
    host := substr(host, 5);
  end if;
  if length(host) <= 253
    and host ~ '^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z][a-z]+|xn--[a-z0-9-]+)$'
    and host !~ '[^.]{64}' then
    return host;
  end if;
  return null;
end;
$$;

comment on function private.normalize_domain(text) is
  'The stored form of a domain: lowercased host name of a bare host or http(s) URL, without port, trailing dot or leading www.; null when it is not a host name.';

create function private.normalize_shop_id(provider text, id text) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
declare
  name text;
  digits text;
begin
  if length(provider) > 128 or length(id) > 128 then
    return null;
  end if;
  name := lower(private.clean_identifier_text(provider) collate "C");  -- ASCII letters only (as normalize_email)
  digits := private.clean_identifier_text(id);
  if name in ('shopify', 'woocommerce') and digits ~ '^[0-9]+$' and length(digits) <= 20 and ltrim(digits, '0') <> '' then
    return name || ':' || ltrim(digits, '0');
  end if;
  return null;
end;
$$;

comment on function private.normalize_shop_id(text, text) is
  'The stored form of a shop customer or order id: provider:id with provider shopify or woocommerce and the numeric id without leading zeros; null otherwise.';

-- What is left of a typed phone number once its formatting is gone: an optional leading + and
-- 2 to 20 digits; null when anything else is in it (letters, an extension, a second +).
create function private.phone_dial_string(value text) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
declare
  dial text;
begin
  if length(value) > 64 then
    return null;
  end if;
  if value ~ '^[0-9+ ().-]*$' then
    -- Only ASCII digits, + and the usual separators (the common case).
    dial := translate(value, ' ().-', '');
  else
    dial := regexp_replace(
      translate(
        value,
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～'
          || U&'\200B\200C\200D\2060\FEFF\00AD',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
      ),
      '[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000.()/\u2010-\u2015\u2212\u30FC-]',
      '',
      'g'
    );
  end if;
  if dial ~ '^\+?[0-9]+$' and length(ltrim(dial, '+')) between 2 and 20 then
    return dial;
  end if;
  return null;
end;
$$;

comment on function private.phone_dial_string(text) is
  'A phone number with its formatting (spaces, dots, dashes, parentheses, slashes) removed: + and digits, or null when anything else is in it.';

-- libphonenumber's checkNumberLength: is_possible, too_short, too_long or invalid_length.
create function private.phone_length_fit(national_number text, lengths smallint[]) returns text
language plpgsql
immutable strict parallel safe
set search_path = ''
as $$
declare
  n integer := length(national_number);
begin
  if n = lengths[1] then
    return 'is_possible';
  elsif n < lengths[1] then
    return 'too_short';
  elsif n > lengths[cardinality(lengths)] then
    return 'too_long';
  elsif n = any (lengths) then
    return 'is_possible';
  end if;
  return 'invalid_length';
end;
$$;

comment on function private.phone_length_fit(text, smallint[]) is
  'How a national significant number''s length fits a region''s possible lengths: is_possible, too_short, too_long or invalid_length.';

-- libphonenumber's getCountryByCallingCode: the region a national significant number belongs to,
-- given the numbering plan in use (any region of its calling code). Where several regions share
-- the calling code, the first (by rank) that fits by its leading digits, or, for regions that
-- libphonenumber tells apart by per-type patterns, by its general pattern and lengths.
create function private.phone_region_of(plan private.phone_regions, national_number text) returns text
language plpgsql
immutable parallel safe
set search_path = ''
as $$
begin
  if plan.calling_code_regions = 1 then
    return plan.region;
  end if;
  -- The regions sorted by rank first (offset 0 keeps the test out of that subquery; the rows come
  -- out in the order asked for without another sort), then tested one after the other until one
  -- fits: most numbers belong to the first, and a test is a regular expression (25 regions share +1).
  return (
    select ranked.region
      from (select r.region, r.calling_code_rank, r.leading_digits, r.has_number_types, r.national_number_lengths, r.national_number_pattern
              from private.phone_regions r
             where r.calling_code = plan.calling_code
             order by r.calling_code_rank
            offset 0) as ranked
     where case
             when ranked.leading_digits is not null then national_number ~ ('^(?:' || ranked.leading_digits || ')')
             else ranked.has_number_types
                  and length(national_number) = any (ranked.national_number_lengths)
                  and national_number ~ ('^(?:' || ranked.national_number_pattern || ')$')
           end
     order by ranked.calling_code_rank
     limit 1
  );
end;
$$;

comment on function private.phone_region_of(private.phone_regions, text) is
  'The region of a national significant number under the calling code of a numbering plan (by leading digits or general pattern where regions share it); null when none fits.';

-- libphonenumber's extractNationalNumber: strips the trunk prefix (and carrier code) from a
-- national number, unless what remains would not be a possible number of the region.
create function private.phone_national_number(number text, plan private.phone_regions) returns text
language plpgsql
immutable parallel safe
set search_path = ''
as $$
declare
  prefix text[];
  groups integer;
  national text;
  pattern text := '^(?:' || plan.national_number_pattern || ')$';
  owner text;
  lengths smallint[];
begin
  if number is null or number = '' or plan.trunk_prefix_for_parsing is null then
    return number;
  end if;
  prefix := regexp_match(number, '^((?:' || plan.trunk_prefix_for_parsing || '))');
  if prefix is null then
    return number;
  end if;
  groups := cardinality(prefix) - 1;
  if plan.trunk_prefix_transform is not null and groups > 0 and coalesce(prefix[groups + 1], '') <> '' then
    national := regexp_replace(number, '^(?:' || plan.trunk_prefix_for_parsing || ')', plan.trunk_prefix_transform);
  else
    national := substr(number, length(prefix[1]) + 1);
  end if;
  if national = number then
    return number;
  end if;
  if number ~ pattern and national !~ pattern then
    return number;
  end if;
  owner := private.phone_region_of(plan, national);
  if owner is null or owner = plan.region then
    lengths := plan.national_number_lengths;
  else
    select r.national_number_lengths into lengths from private.phone_regions r where r.region = owner;
  end if;
  if private.phone_length_fit(national, lengths) in ('too_short', 'invalid_length') then
    return number;
  end if;
  return national;
end;
$$;

comment on function private.phone_national_number(text, private.phone_regions) is
  'A national number without its trunk prefix (and carrier code), by the region''s numbering plan; unchanged when stripping would leave an impossible number.';

create function private.normalize_phone(value text, default_region text) returns text
language plpgsql
immutable parallel safe
set search_path = ''
as $$
declare
  region_code text := nullif(upper(btrim(default_region)), '');
  home private.phone_regions;
  plan private.phone_regions;
  dial text;
  idd text[];
  after_idd text;
  code text;
  national text;
  country text;
  nsn text;
  exact text;
  home_pattern text;
  code_prefixes text[];
begin
  if region_code is not null then
    select * into home from private.phone_regions r where r.region = region_code;
    if not found then
      raise exception using
        errcode = '22023',
        message = format('unknown phone region %s', quote_literal(default_region)),
        hint = 'Use an ISO 3166-1 alpha-2 region code such as CN, US or GB.';
    end if;
  end if;

  dial := private.phone_dial_string(value);
  if dial is null then
    return null;
  end if;

  if left(dial, 1) <> '+' then
    -- A national number needs the organisation's region to be read.
    if home.region is null then
      return null;
    end if;
    -- Dialled from the region to abroad: its international prefix (00, 011, …), then a calling code.
    idd := regexp_match(dial, '^((?:' || home.international_prefix || '))');
    after_idd := case when idd is not null then substr(dial, length(idd[1]) + 1) end;
    if after_idd is not null and after_idd <> '' and left(after_idd, 1) <> '0' then
      dial := '+' || after_idd;
    else
      -- An international number typed without its +, starting with the region's calling code:
      -- taken as such when the digits after the code make a better national number.
      if left(dial, length(home.calling_code)) = home.calling_code then
        home_pattern := '^(?:' || home.national_number_pattern || ')$';
        nsn := private.phone_national_number(dial, home);
        national := private.phone_national_number(substr(dial, length(home.calling_code) + 1), home);
        if (nsn !~ home_pattern and national ~ home_pattern)
          or private.phone_length_fit(nsn, home.national_number_lengths) = 'too_long' then
          code := home.calling_code;
          national := substr(dial, length(home.calling_code) + 1);
        end if;
      end if;
      if code is null then
        code := home.calling_code;
        national := dial;
        country := home.region;
        plan := home;
      end if;
    end if;
  end if;

  if left(dial, 1) = '+' then
    if substr(dial, 2, 1) = '0' then
      return null;
    end if;
    -- Calling codes are prefix-free: at most one of the 1-, 2- and 3-digit prefixes is one. The
    -- prefixes are taken once, not for each row the statement reads, and each is one equality on
    -- the key (three index-only lookups; "= any" of them would be costed as reading the table).
    code_prefixes := array[substr(dial, 2, 1), substr(dial, 2, 2), substr(dial, 2, 3)];
    select r.* into plan
      from private.phone_regions r
     where r.calling_code = code_prefixes[1] and r.calling_code_rank = 0
    union all
    select r.*
      from private.phone_regions r
     where r.calling_code = code_prefixes[2] and r.calling_code_rank = 0
    union all
    select r.*
      from private.phone_regions r
     where r.calling_code = code_prefixes[3] and r.calling_code_rank = 0;
    if not found then
      return null;
    end if;
    code := plan.calling_code;
    national := substr(dial, 2 + length(code));
  end if;

  if plan.region is null then
    -- The rules of the calling code's main region apply until the number's own region is known.
    select * into plan from private.phone_regions r where r.calling_code = code and r.calling_code_rank = 0;
  end if;
  if national = '' then
    return null;
  end if;

  nsn := private.phone_national_number(national, plan);
  exact := private.phone_region_of(plan, nsn);
  if exact is not null then
    country := exact;
    if exact <> plan.region then
      select * into plan from private.phone_regions r where r.region = exact;
    end if;
  end if;
  -- Numbers that belong to no country (+800 freephone, satellite networks) are not customers'.
  if country is null then
    return null;
  end if;
  if length(nsn) < 2 or length(nsn) > 17 then
    return null;
  end if;
  if nsn !~ ('^(?:' || plan.national_number_pattern || ')$') then
    return null;
  end if;
  return '+' || code || nsn;
end;
$$;

comment on function private.normalize_phone(text, text) is
  'A phone number in E.164 (+8613800138000): national numbers (with or without the trunk prefix) read in default_region, others by their +CC or international prefix; spaces, dots, dashes, parentheses and fullwidth digits allowed. Null when it is not a valid number of a region; raises 22023 for an unknown default_region.';

create function private.normalize_identity(kind text, value text, default_region text) returns text
language plpgsql
immutable parallel safe
set search_path = ''
as $$
declare
  normalized text;
  cleaned text;
  colon integer;
begin
  if kind is null or kind not in ('email', 'phone', 'shop_customer', 'shop_order', 'domain') then
    raise exception using
      errcode = '22023',
      message = format('unknown identifier kind %s', coalesce(quote_literal(kind), 'null')),
      hint = 'The kind is one of email, phone, shop_customer, shop_order, domain.';
  end if;

  if kind = 'email' then
    normalized := private.normalize_email(value);
  elsif kind = 'phone' then
    normalized := private.normalize_phone(value, default_region);
  elsif kind = 'domain' then
    normalized := private.normalize_domain(value);
  elsif length(value) <= 128 then
    cleaned := private.clean_identifier_text(value);
    colon := strpos(cleaned, ':');
    if colon > 0 then
      normalized := private.normalize_shop_id(left(cleaned, colon - 1), substr(cleaned, colon + 1));
    end if;
  end if;

  if normalized is null then
    raise exception using
      errcode = '22023',
      message = format('invalid %s identifier', kind),
      detail = case
        when value is null then 'The value is missing.'
        else format('The value %s is not a valid %s identifier.', quote_literal(left(value, 100)), kind)
      end,
      hint = case kind
        when 'email' then 'An email address looks like name@example.com.'
        when 'phone' then case
          when nullif(btrim(default_region), '') is null then 'Write the phone number with its country code, e.g. +86 138 0013 8000.'
          else format('Write the phone number with its country code, or as a valid number in region %s.', upper(btrim(default_region)))
        end
        when 'domain' then 'A domain looks like example.com.'
        else 'A shop identifier looks like shopify:123 or woocommerce:123.'
      end;
  end if;
  return normalized;
end;
$$;

comment on function private.normalize_identity(text, text, text) is
  'The stored form of an identifier of the given kind (email, phone, shop_customer, shop_order, domain), as in customer_identities.value; raises 22023 naming the kind when the value is not valid for it.';

revoke all on function
  private.clean_identifier_text(text),
  private.normalize_email(text),
  private.normalize_domain(text),
  private.normalize_shop_id(text, text),
  private.phone_dial_string(text),
  private.phone_length_fit(text, smallint[]),
  private.phone_region_of(private.phone_regions, text),
  private.phone_national_number(text, private.phone_regions),
  private.normalize_phone(text, text),
  private.normalize_identity(text, text, text)
from public, anon;

grant execute on function
  private.clean_identifier_text(text),
  private.normalize_email(text),
  private.normalize_domain(text),
  private.normalize_shop_id(text, text),
  private.phone_dial_string(text),
  private.phone_length_fit(text, smallint[]),
  private.phone_region_of(private.phone_regions, text),
  private.phone_national_number(text, private.phone_regions),
  private.normalize_phone(text, text),
  private.normalize_identity(text, text, text)
to authenticated, service_role;
