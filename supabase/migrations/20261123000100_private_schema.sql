-- The `private` schema holds what the API must not expose: membership helpers that row-level
-- security policies call, trigger functions and internal pieces of the RPC functions.
--
-- It is not in the Data API's exposed schemas (config.toml api.schemas), so PostgREST never serves
-- it. Signed-in users still need USAGE on it because policies and the public RPC functions call
-- helpers in it by name while running as the `authenticated` role.

create schema if not exists private;

comment on schema private is
  'Internal helpers for row-level security, triggers and the RPC API. Not exposed through the Data API.';

revoke all on schema private from public;
revoke all on schema private from anon;
grant usage on schema private to authenticated, service_role;
