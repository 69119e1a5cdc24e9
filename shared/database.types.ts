export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "api_requests": {
                  Row: {
                    "arguments": NonNullable<Json>,"completed_at": string | null,"created_at": string,"org_id": string,"request_id": string,"result": Json | null,"rpc": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "arguments": NonNullable<Json>,"completed_at"?: string | null,"created_at"?: string,"org_id": string,"request_id": string,"result"?: Json | null,"rpc": string,"user_id"?: string
                  }
                  Update: {
                    "arguments"?: NonNullable<Json>,"completed_at"?: string | null,"created_at"?: string,"org_id"?: string,"request_id"?: string,"result"?: Json | null,"rpc"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "api_requests_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"customer_identities": {
                  Row: {
                    "created_at": string,"created_by": string | null,"customer_id": string,"kind": Database["public"]['Enums']["identity_kind"],"org_id": string,"value": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"customer_id": string,"kind": Database["public"]['Enums']["identity_kind"],"org_id": string,"value": string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"customer_id"?: string,"kind"?: Database["public"]['Enums']["identity_kind"],"org_id"?: string,"value"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_identities_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_identities_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"customer_merges": {
                  Row: {
                    "id": number,"kept_customer_id": string | null,"merged_at": string,"merged_by": string | null,"merged_customer": NonNullable<Json>,"merged_customer_id": string,"moved": NonNullable<Json>,"org_id": string,"request_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "id"?: never,"kept_customer_id"?: string | null,"merged_at"?: string,"merged_by"?: string | null,"merged_customer": NonNullable<Json>,"merged_customer_id": string,"moved"?: NonNullable<Json>,"org_id": string,"request_id"?: string | null
                  }
                  Update: {
                    "id"?: never,"kept_customer_id"?: string | null,"merged_at"?: string,"merged_by"?: string | null,"merged_customer"?: NonNullable<Json>,"merged_customer_id"?: string,"moved"?: NonNullable<Json>,"org_id"?: string,"request_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_merges_kept_customer_id_fkey"
      columns: ["org_id","kept_customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_merges_kept_customer_id_fkey"
      columns: ["org_id","kept_customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_merges_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"customer_profiles": {
                  Row: {
                    "aov": number | null,"computed_at": string,"customer_id": string,"effective_stage": Database["public"]['Enums']["lifecycle_stage"] | null,"f_score": number | null,"first_order_at": string | null,"last_contact_at": string | null,"last_event_at": string | null,"last_order_at": string | null,"lifecycle_stage": Database["public"]['Enums']["lifecycle_stage"],"m_score": number | null,"net_spend": number,"next_transition_at": string | null,"open_follow_ups": number,"order_count": number,"org_id": string,"override_at": string | null,"override_by": string | null,"override_reason": string | null,"prev_f_score": number | null,"previous_order_at": string | null,"r_score": number | null,"reasons_version": number | null,"recycle_at": string | null,"referral_count": number,"rfm_segment": Database["public"]['Enums']["rfm_segment"] | null,"segments_digest": number | null,"stage_override": Database["public"]['Enums']["lifecycle_stage"] | null,"ticket_band": Database["public"]['Enums']["ticket_band"] | null,"value_tier": Database["public"]['Enums']["value_tier"]
                  }
                  ComputedFields: never
                  Insert: {
                    "aov"?: number | null,"computed_at"?: string,"customer_id": string,"effective_stage"?: never,"f_score"?: number | null,"first_order_at"?: string | null,"last_contact_at"?: string | null,"last_event_at"?: string | null,"last_order_at"?: string | null,"lifecycle_stage"?: Database["public"]['Enums']["lifecycle_stage"],"m_score"?: number | null,"net_spend"?: number,"next_transition_at"?: string | null,"open_follow_ups"?: number,"order_count"?: number,"org_id": string,"override_at"?: string | null,"override_by"?: string | null,"override_reason"?: string | null,"prev_f_score"?: number | null,"previous_order_at"?: string | null,"r_score"?: number | null,"reasons_version"?: number | null,"recycle_at"?: string | null,"referral_count"?: number,"rfm_segment"?: Database["public"]['Enums']["rfm_segment"] | null,"segments_digest"?: number | null,"stage_override"?: Database["public"]['Enums']["lifecycle_stage"] | null,"ticket_band"?: Database["public"]['Enums']["ticket_band"] | null,"value_tier"?: Database["public"]['Enums']["value_tier"]
                  }
                  Update: {
                    "aov"?: number | null,"computed_at"?: string,"customer_id"?: string,"effective_stage"?: never,"f_score"?: number | null,"first_order_at"?: string | null,"last_contact_at"?: string | null,"last_event_at"?: string | null,"last_order_at"?: string | null,"lifecycle_stage"?: Database["public"]['Enums']["lifecycle_stage"],"m_score"?: number | null,"net_spend"?: number,"next_transition_at"?: string | null,"open_follow_ups"?: number,"order_count"?: number,"org_id"?: string,"override_at"?: string | null,"override_by"?: string | null,"override_reason"?: string | null,"prev_f_score"?: number | null,"previous_order_at"?: string | null,"r_score"?: number | null,"reasons_version"?: number | null,"recycle_at"?: string | null,"referral_count"?: number,"rfm_segment"?: Database["public"]['Enums']["rfm_segment"] | null,"segments_digest"?: number | null,"stage_override"?: Database["public"]['Enums']["lifecycle_stage"] | null,"ticket_band"?: Database["public"]['Enums']["ticket_band"] | null,"value_tier"?: Database["public"]['Enums']["value_tier"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_profiles_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: true
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_profiles_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: true
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"customer_satisfaction": {
                  Row: {
                    "avg_score_100": number,"customer_id": string,"last_at": string,"last_scale": Database["public"]['Enums']["satisfaction_scale"],"last_score": number,"last_score_100": number,"org_id": string,"responses": number
                  }
                  ComputedFields: never
                  Insert: {
                    "avg_score_100": number,"customer_id": string,"last_at": string,"last_scale": Database["public"]['Enums']["satisfaction_scale"],"last_score": number,"last_score_100": number,"org_id": string,"responses": number
                  }
                  Update: {
                    "avg_score_100"?: number,"customer_id"?: string,"last_at"?: string,"last_scale"?: Database["public"]['Enums']["satisfaction_scale"],"last_score"?: number,"last_score_100"?: number,"org_id"?: string,"responses"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_satisfaction_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: true
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_satisfaction_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: true
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"customer_tag_changes": {
                  Row: {
                    "action": Database["public"]['Enums']["tag_change_action"],"changed_at": string,"changed_by": string | null,"customer_id": string,"id": number,"org_id": string,"page_title": string | null,"page_url": string | null,"source": Database["public"]['Enums']["tag_source"],"tag_id": string | null,"tag_name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "action": Database["public"]['Enums']["tag_change_action"],"changed_at"?: string,"changed_by"?: string | null,"customer_id": string,"id"?: never,"org_id": string,"page_title"?: string | null,"page_url"?: string | null,"source": Database["public"]['Enums']["tag_source"],"tag_id"?: string | null,"tag_name": string
                  }
                  Update: {
                    "action"?: Database["public"]['Enums']["tag_change_action"],"changed_at"?: string,"changed_by"?: string | null,"customer_id"?: string,"id"?: never,"org_id"?: string,"page_title"?: string | null,"page_url"?: string | null,"source"?: Database["public"]['Enums']["tag_source"],"tag_id"?: string | null,"tag_name"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_tag_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_tag_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_tag_changes_tag_id_fkey"
      columns: ["org_id","tag_id"]
isOneToOne: false
      referencedRelation: "tags"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"customer_tags": {
                  Row: {
                    "added_at": string,"added_by": string | null,"customer_id": string,"org_id": string,"page_title": string | null,"page_url": string | null,"request_id": string | null,"source": Database["public"]['Enums']["tag_source"],"tag_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "added_at"?: string,"added_by"?: string | null,"customer_id": string,"org_id": string,"page_title"?: string | null,"page_url"?: string | null,"request_id"?: string | null,"source"?: Database["public"]['Enums']["tag_source"],"tag_id": string
                  }
                  Update: {
                    "added_at"?: string,"added_by"?: string | null,"customer_id"?: string,"org_id"?: string,"page_title"?: string | null,"page_url"?: string | null,"request_id"?: string | null,"source"?: Database["public"]['Enums']["tag_source"],"tag_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customer_tags_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_tags_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customer_tags_tag_id_fkey"
      columns: ["org_id","tag_id"]
isOneToOne: false
      referencedRelation: "tags"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"customers": {
                  Row: {
                    "acquisition_source": string | null,"city": string | null,"company_id": string | null,"company_size": Database["public"]['Enums']["company_size"] | null,"country": string | null,"created_at": string,"created_by": string | null,"display_name": string | null,"external_id": string | null,"id": string,"industry": string | null,"invalid_reason": string | null,"is_partner": boolean,"is_valid": boolean,"kind": Database["public"]['Enums']["customer_kind"],"org_id": string,"owned_since": string | null,"owner_id": string | null,"primary_email": string | null,"primary_phone": string | null,"referred_by": string | null,"region": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "acquisition_source"?: string | null,"city"?: string | null,"company_id"?: string | null,"company_size"?: Database["public"]['Enums']["company_size"] | null,"country"?: string | null,"created_at"?: string,"created_by"?: string | null,"display_name"?: string | null,"external_id"?: string | null,"id"?: string,"industry"?: string | null,"invalid_reason"?: string | null,"is_partner"?: boolean,"is_valid"?: boolean,"kind"?: Database["public"]['Enums']["customer_kind"],"org_id": string,"owned_since"?: string | null,"owner_id"?: string | null,"primary_email"?: string | null,"primary_phone"?: string | null,"referred_by"?: string | null,"region"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "acquisition_source"?: string | null,"city"?: string | null,"company_id"?: string | null,"company_size"?: Database["public"]['Enums']["company_size"] | null,"country"?: string | null,"created_at"?: string,"created_by"?: string | null,"display_name"?: string | null,"external_id"?: string | null,"id"?: string,"industry"?: string | null,"invalid_reason"?: string | null,"is_partner"?: boolean,"is_valid"?: boolean,"kind"?: Database["public"]['Enums']["customer_kind"],"org_id"?: string,"owned_since"?: string | null,"owner_id"?: string | null,"primary_email"?: string | null,"primary_phone"?: string | null,"referred_by"?: string | null,"region"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "customers_company_id_fkey"
      columns: ["org_id","company_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customers_company_id_fkey"
      columns: ["org_id","company_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customers_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "customers_owner_id_fkey"
      columns: ["org_id","owner_id"]
isOneToOne: false
      referencedRelation: "members"
      referencedColumns: ["org_id","user_id"]
    },{
      foreignKeyName: "customers_referred_by_fkey"
      columns: ["org_id","referred_by"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "customers_referred_by_fkey"
      columns: ["org_id","referred_by"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"cut_points": {
                  Row: {
                    "buyers": number,"computed_at": string,"median_aov": number | null,"monetary_spend": (number)[],"org_id": string,"recency_days": (number)[],"run_id": number | null,"settings": NonNullable<Json>,"super_min_spend": number | null,"vip_min_spend": number | null
                  }
                  ComputedFields: never
                  Insert: {
                    "buyers"?: number,"computed_at": string,"median_aov"?: number | null,"monetary_spend"?: (number)[],"org_id": string,"recency_days"?: (number)[],"run_id"?: number | null,"settings": NonNullable<Json>,"super_min_spend"?: number | null,"vip_min_spend"?: number | null
                  }
                  Update: {
                    "buyers"?: number,"computed_at"?: string,"median_aov"?: number | null,"monetary_spend"?: (number)[],"org_id"?: string,"recency_days"?: (number)[],"run_id"?: number | null,"settings"?: NonNullable<Json>,"super_min_spend"?: number | null,"vip_min_spend"?: number | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "cut_points_org_id_fkey"
      columns: ["org_id"]
isOneToOne: true
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "cut_points_run_id_fkey"
      columns: ["run_id"]
isOneToOne: false
      referencedRelation: "recompute_runs"
      referencedColumns: ["id"]
    }
                  ]
                },"events": {
                  Row: {
                    "created_at": string,"customer_id": string,"details": NonNullable<Json>,"id": number,"kind": Database["public"]['Enums']["event_kind"],"occurred_at": string,"org_id": string,"recorded_by": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"customer_id": string,"details"?: NonNullable<Json>,"id"?: never,"kind": Database["public"]['Enums']["event_kind"],"occurred_at"?: string,"org_id": string,"recorded_by"?: string | null
                  }
                  Update: {
                    "created_at"?: string,"customer_id"?: string,"details"?: NonNullable<Json>,"id"?: never,"kind"?: Database["public"]['Enums']["event_kind"],"occurred_at"?: string,"org_id"?: string,"recorded_by"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "events_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "events_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"follow_ups": {
                  Row: {
                    "assignee_id": string | null,"created_at": string,"created_by": string | null,"customer_id": string,"done_at": string | null,"done_by": string | null,"due_at": string,"id": string,"note": string | null,"org_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "assignee_id"?: string | null,"created_at"?: string,"created_by"?: string | null,"customer_id": string,"done_at"?: string | null,"done_by"?: string | null,"due_at": string,"id"?: string,"note"?: string | null,"org_id": string,"updated_at"?: string
                  }
                  Update: {
                    "assignee_id"?: string | null,"created_at"?: string,"created_by"?: string | null,"customer_id"?: string,"done_at"?: string | null,"done_by"?: string | null,"due_at"?: string,"id"?: string,"note"?: string | null,"org_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "follow_ups_assignee_id_fkey"
      columns: ["org_id","assignee_id"]
isOneToOne: false
      referencedRelation: "members"
      referencedColumns: ["org_id","user_id"]
    },{
      foreignKeyName: "follow_ups_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "follow_ups_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"import_customers": {
                  Row: {
                    "city": string | null,"company": string | null,"company_size": string | null,"country": string | null,"created_at": string | null,"customer_id": string | null,"email": string | null,"error": string | null,"external_id": string | null,"id": number,"import_batch": string,"import_status": Database["public"]['Enums']["import_status"],"industry": string | null,"is_partner": string | null,"is_valid": string | null,"kind": string | null,"loaded_at": string,"name": string | null,"org_id": string | null,"owner_email": string | null,"phone": string | null,"referred_by_email": string | null,"region": string | null,"source": string | null,"tags": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "city"?: string | null,"company"?: string | null,"company_size"?: string | null,"country"?: string | null,"created_at"?: string | null,"customer_id"?: string | null,"email"?: string | null,"error"?: string | null,"external_id"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"industry"?: string | null,"is_partner"?: string | null,"is_valid"?: string | null,"kind"?: string | null,"loaded_at"?: string,"name"?: string | null,"org_id"?: string | null,"owner_email"?: string | null,"phone"?: string | null,"referred_by_email"?: string | null,"region"?: string | null,"source"?: string | null,"tags"?: string | null
                  }
                  Update: {
                    "city"?: string | null,"company"?: string | null,"company_size"?: string | null,"country"?: string | null,"created_at"?: string | null,"customer_id"?: string | null,"email"?: string | null,"error"?: string | null,"external_id"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"industry"?: string | null,"is_partner"?: string | null,"is_valid"?: string | null,"kind"?: string | null,"loaded_at"?: string,"name"?: string | null,"org_id"?: string | null,"owner_email"?: string | null,"phone"?: string | null,"referred_by_email"?: string | null,"region"?: string | null,"source"?: string | null,"tags"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"import_events": {
                  Row: {
                    "customer_email": string | null,"customer_external_id": string | null,"customer_id": string | null,"customer_phone": string | null,"error": string | null,"id": number,"import_batch": string,"import_status": Database["public"]['Enums']["import_status"],"kind": string | null,"loaded_at": string,"occurred_at": string | null,"org_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "customer_email"?: string | null,"customer_external_id"?: string | null,"customer_id"?: string | null,"customer_phone"?: string | null,"error"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"kind"?: string | null,"loaded_at"?: string,"occurred_at"?: string | null,"org_id"?: string | null
                  }
                  Update: {
                    "customer_email"?: string | null,"customer_external_id"?: string | null,"customer_id"?: string | null,"customer_phone"?: string | null,"error"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"kind"?: string | null,"loaded_at"?: string,"occurred_at"?: string | null,"org_id"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"import_orders": {
                  Row: {
                    "currency": string | null,"customer_email": string | null,"customer_external_id": string | null,"customer_id": string | null,"customer_name": string | null,"customer_phone": string | null,"error": string | null,"id": number,"import_batch": string,"import_status": Database["public"]['Enums']["import_status"],"loaded_at": string,"order_id": string | null,"ordered_at": string | null,"org_id": string | null,"refunded": string | null,"source": string | null,"status": string | null,"total": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "currency"?: string | null,"customer_email"?: string | null,"customer_external_id"?: string | null,"customer_id"?: string | null,"customer_name"?: string | null,"customer_phone"?: string | null,"error"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"loaded_at"?: string,"order_id"?: string | null,"ordered_at"?: string | null,"org_id"?: string | null,"refunded"?: string | null,"source"?: string | null,"status"?: string | null,"total"?: string | null
                  }
                  Update: {
                    "currency"?: string | null,"customer_email"?: string | null,"customer_external_id"?: string | null,"customer_id"?: string | null,"customer_name"?: string | null,"customer_phone"?: string | null,"error"?: string | null,"id"?: never,"import_batch"?: string,"import_status"?: Database["public"]['Enums']["import_status"],"loaded_at"?: string,"order_id"?: string | null,"ordered_at"?: string | null,"org_id"?: string | null,"refunded"?: string | null,"source"?: string | null,"status"?: string | null,"total"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"inbound_events": {
                  Row: {
                    "error": string | null,"event_key": string,"id": number,"org_id": string,"processed_at": string | null,"provider": Database["public"]['Enums']["shop_provider"],"received_at": string,"shop_connection_id": string,"topic": string
                  }
                  ComputedFields: never
                  Insert: {
                    "error"?: string | null,"event_key": string,"id"?: never,"org_id": string,"processed_at"?: string | null,"provider": Database["public"]['Enums']["shop_provider"],"received_at"?: string,"shop_connection_id": string,"topic": string
                  }
                  Update: {
                    "error"?: string | null,"event_key"?: string,"id"?: never,"org_id"?: string,"processed_at"?: string | null,"provider"?: Database["public"]['Enums']["shop_provider"],"received_at"?: string,"shop_connection_id"?: string,"topic"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "inbound_events_shop_connection_id_fkey"
      columns: ["org_id","shop_connection_id"]
isOneToOne: false
      referencedRelation: "shop_connections"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"invitations": {
                  Row: {
                    "accepted_at": string | null,"created_at": string,"declined_at": string | null,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"org_id": string,"revoked_at": string | null,"role": Database["public"]['Enums']["member_role"]
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"created_at"?: string,"declined_at"?: string | null,"email": string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"org_id": string,"revoked_at"?: string | null,"role"?: Database["public"]['Enums']["member_role"]
                  }
                  Update: {
                    "accepted_at"?: string | null,"created_at"?: string,"declined_at"?: string | null,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"org_id"?: string,"revoked_at"?: string | null,"role"?: Database["public"]['Enums']["member_role"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitations_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"members": {
                  Row: {
                    "created_at": string,"display_name": string | null,"org_id": string,"role": Database["public"]['Enums']["member_role"],"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"display_name"?: string | null,"org_id": string,"role"?: Database["public"]['Enums']["member_role"],"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"display_name"?: string | null,"org_id"?: string,"role"?: Database["public"]['Enums']["member_role"],"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "members_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"notes": {
                  Row: {
                    "author_id": string | null,"body": string,"created_at": string,"customer_id": string,"id": string,"org_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "author_id"?: string | null,"body": string,"created_at"?: string,"customer_id": string,"id"?: string,"org_id": string,"updated_at"?: string
                  }
                  Update: {
                    "author_id"?: string | null,"body"?: string,"created_at"?: string,"customer_id"?: string,"id"?: string,"org_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "notes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "notes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"orders": {
                  Row: {
                    "created_at": string,"currency": string,"customer_id": string,"external_id": string,"id": string,"ordered_at": string,"org_id": string,"refunded_amount": number,"source": Database["public"]['Enums']["order_source"],"status": Database["public"]['Enums']["order_status"],"total": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"currency": string,"customer_id": string,"external_id": string,"id"?: string,"ordered_at": string,"org_id": string,"refunded_amount"?: number,"source": Database["public"]['Enums']["order_source"],"status": Database["public"]['Enums']["order_status"],"total": number,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"currency"?: string,"customer_id"?: string,"external_id"?: string,"id"?: string,"ordered_at"?: string,"org_id"?: string,"refunded_amount"?: number,"source"?: Database["public"]['Enums']["order_source"],"status"?: Database["public"]['Enums']["order_status"],"total"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "orders_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "orders_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"organizations": {
                  Row: {
                    "created_at": string,"id": string,"name": string,"settings": NonNullable<Json>,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"name": string,"settings"?: NonNullable<Json>,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"name"?: string,"settings"?: NonNullable<Json>,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"ownership_changes": {
                  Row: {
                    "changed_at": string,"changed_by": string | null,"customer_id": string,"from_owner_id": string | null,"id": number,"note": string | null,"org_id": string,"reason": Database["public"]['Enums']["ownership_change_reason"],"to_owner_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "changed_at"?: string,"changed_by"?: string | null,"customer_id": string,"from_owner_id"?: string | null,"id"?: never,"note"?: string | null,"org_id": string,"reason": Database["public"]['Enums']["ownership_change_reason"],"to_owner_id"?: string | null
                  }
                  Update: {
                    "changed_at"?: string,"changed_by"?: string | null,"customer_id"?: string,"from_owner_id"?: string | null,"id"?: never,"note"?: string | null,"org_id"?: string,"reason"?: Database["public"]['Enums']["ownership_change_reason"],"to_owner_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "ownership_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "ownership_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"recompute_runs": {
                  Row: {
                    "as_of": string | null,"customers_changed": number,"customers_scanned": number,"details": NonNullable<Json>,"error": string | null,"finished_at": string | null,"id": number,"kind": Database["public"]['Enums']["recompute_kind"],"org_id": string,"rows_written": number,"started_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "as_of"?: string | null,"customers_changed"?: number,"customers_scanned"?: number,"details"?: NonNullable<Json>,"error"?: string | null,"finished_at"?: string | null,"id"?: never,"kind": Database["public"]['Enums']["recompute_kind"],"org_id": string,"rows_written"?: number,"started_at"?: string
                  }
                  Update: {
                    "as_of"?: string | null,"customers_changed"?: number,"customers_scanned"?: number,"details"?: NonNullable<Json>,"error"?: string | null,"finished_at"?: string | null,"id"?: never,"kind"?: Database["public"]['Enums']["recompute_kind"],"org_id"?: string,"rows_written"?: number,"started_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "recompute_runs_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"satisfaction_responses": {
                  Row: {
                    "channel": Database["public"]['Enums']["satisfaction_channel"],"comment": string | null,"customer_id": string,"id": string,"org_id": string,"recorded_by": string | null,"responded_at": string,"scale": Database["public"]['Enums']["satisfaction_scale"],"score": number,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "channel": Database["public"]['Enums']["satisfaction_channel"],"comment"?: string | null,"customer_id": string,"id"?: string,"org_id": string,"recorded_by"?: string | null,"responded_at"?: string,"scale": Database["public"]['Enums']["satisfaction_scale"],"score": number,"updated_at"?: string
                  }
                  Update: {
                    "channel"?: Database["public"]['Enums']["satisfaction_channel"],"comment"?: string | null,"customer_id"?: string,"id"?: string,"org_id"?: string,"recorded_by"?: string | null,"responded_at"?: string,"scale"?: Database["public"]['Enums']["satisfaction_scale"],"score"?: number,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "satisfaction_responses_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "satisfaction_responses_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"segment_memberships": {
                  Row: {
                    "customer_id": string,"org_id": string,"segment_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "customer_id": string,"org_id": string,"segment_id": string
                  }
                  Update: {
                    "customer_id"?: string,"org_id"?: string,"segment_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "segment_memberships_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_profiles"
      referencedColumns: ["org_id","customer_id"]
    }
                  ]
                },"segments": {
                  Row: {
                    "computed_at": string | null,"created_at": string,"created_by": string | null,"description": string | null,"id": string,"is_active": boolean,"member_count": number,"name": string,"org_id": string,"rule": NonNullable<Json>,"suggestion": string | null,"tag_id": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "computed_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_active"?: boolean,"member_count"?: number,"name": string,"org_id": string,"rule"?: NonNullable<Json>,"suggestion"?: string | null,"tag_id"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "computed_at"?: string | null,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_active"?: boolean,"member_count"?: number,"name"?: string,"org_id"?: string,"rule"?: NonNullable<Json>,"suggestion"?: string | null,"tag_id"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "segments_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "segments_tag_id_fkey"
      columns: ["org_id","tag_id"]
isOneToOne: false
      referencedRelation: "tags"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"shop_backfills": {
                  Row: {
                    "attempts": number,"created_at": string,"cursor": string | null,"customers_done": number,"finished_at": string | null,"id": string,"last_error": string | null,"orders_done": number,"org_id": string,"pages_done": number,"phase": string,"resume_after": string | null,"shop_connection_id": string,"skipped": number,"started_at": string | null,"state": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attempts"?: number,"created_at"?: string,"cursor"?: string | null,"customers_done"?: number,"finished_at"?: string | null,"id"?: string,"last_error"?: string | null,"orders_done"?: number,"org_id": string,"pages_done"?: number,"phase"?: string,"resume_after"?: string | null,"shop_connection_id": string,"skipped"?: number,"started_at"?: string | null,"state"?: string,"updated_at"?: string
                  }
                  Update: {
                    "attempts"?: number,"created_at"?: string,"cursor"?: string | null,"customers_done"?: number,"finished_at"?: string | null,"id"?: string,"last_error"?: string | null,"orders_done"?: number,"org_id"?: string,"pages_done"?: number,"phase"?: string,"resume_after"?: string | null,"shop_connection_id"?: string,"skipped"?: number,"started_at"?: string | null,"state"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "shop_backfills_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "shop_backfills_shop_connection_id_fkey"
      columns: ["org_id","shop_connection_id"]
isOneToOne: false
      referencedRelation: "shop_connections"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"shop_connections": {
                  Row: {
                    "api_base_url": string | null,"api_key": string | null,"api_secret": string | null,"created_at": string,"id": string,"is_active": boolean,"org_id": string,"provider": Database["public"]['Enums']["shop_provider"],"shop_domain": string,"updated_at": string,"webhook_secret": string
                  }
                  ComputedFields: never
                  Insert: {
                    "api_base_url"?: string | null,"api_key"?: string | null,"api_secret"?: string | null,"created_at"?: string,"id"?: string,"is_active"?: boolean,"org_id": string,"provider": Database["public"]['Enums']["shop_provider"],"shop_domain": string,"updated_at"?: string,"webhook_secret": string
                  }
                  Update: {
                    "api_base_url"?: string | null,"api_key"?: string | null,"api_secret"?: string | null,"created_at"?: string,"id"?: string,"is_active"?: boolean,"org_id"?: string,"provider"?: Database["public"]['Enums']["shop_provider"],"shop_domain"?: string,"updated_at"?: string,"webhook_secret"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "shop_connections_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"stage_changes": {
                  Row: {
                    "changed_at": string,"changed_by": string | null,"customer_id": string,"from_stage": Database["public"]['Enums']["lifecycle_stage"] | null,"id": number,"org_id": string,"reason": NonNullable<Json>,"source": Database["public"]['Enums']["stage_change_source"],"to_stage": Database["public"]['Enums']["lifecycle_stage"]
                  }
                  ComputedFields: never
                  Insert: {
                    "changed_at"?: string,"changed_by"?: string | null,"customer_id": string,"from_stage"?: Database["public"]['Enums']["lifecycle_stage"] | null,"id"?: never,"org_id": string,"reason"?: NonNullable<Json>,"source": Database["public"]['Enums']["stage_change_source"],"to_stage": Database["public"]['Enums']["lifecycle_stage"]
                  }
                  Update: {
                    "changed_at"?: string,"changed_by"?: string | null,"customer_id"?: string,"from_stage"?: Database["public"]['Enums']["lifecycle_stage"] | null,"id"?: never,"org_id"?: string,"reason"?: NonNullable<Json>,"source"?: Database["public"]['Enums']["stage_change_source"],"to_stage"?: Database["public"]['Enums']["lifecycle_stage"]
                  }
                  Relationships: [
                    {
      foreignKeyName: "stage_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customer_overview"
      referencedColumns: ["org_id","id"]
    },{
      foreignKeyName: "stage_changes_customer_id_fkey"
      columns: ["org_id","customer_id"]
isOneToOne: false
      referencedRelation: "customers"
      referencedColumns: ["org_id","id"]
    }
                  ]
                },"stage_snapshots": {
                  Row: {
                    "as_of": string,"customers": number,"customers_by_stage": NonNullable<Json>,"day": string,"members_by_segment": NonNullable<Json>,"moves": NonNullable<Json>,"net_revenue_by_stage": NonNullable<Json>,"org_id": string,"source": string,"taken_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "as_of": string,"customers": number,"customers_by_stage": NonNullable<Json>,"day": string,"members_by_segment"?: NonNullable<Json>,"moves"?: NonNullable<Json>,"net_revenue_by_stage": NonNullable<Json>,"org_id": string,"source": string,"taken_at"?: string
                  }
                  Update: {
                    "as_of"?: string,"customers"?: number,"customers_by_stage"?: NonNullable<Json>,"day"?: string,"members_by_segment"?: NonNullable<Json>,"moves"?: NonNullable<Json>,"net_revenue_by_stage"?: NonNullable<Json>,"org_id"?: string,"source"?: string,"taken_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "stage_snapshots_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"tags": {
                  Row: {
                    "category": Database["public"]['Enums']["tag_category"],"colour": string,"created_at": string,"created_by": string | null,"description": string | null,"id": string,"name": string,"org_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "category"?: Database["public"]['Enums']["tag_category"],"colour"?: string,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"name": string,"org_id": string,"updated_at"?: string
                  }
                  Update: {
                    "category"?: Database["public"]['Enums']["tag_category"],"colour"?: string,"created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"name"?: string,"org_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "tags_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            "customer_overview": {
                  Row: {
                    "aov": number | null,"city": string | null,"computed_at": string | null,"computed_stage": Database["public"]['Enums']["lifecycle_stage"] | null,"country": string | null,"created_at": string,"display_name": string | null,"effective_stage": Database["public"]['Enums']["lifecycle_stage"] | null,"id": string,"is_partner": boolean,"is_valid": boolean,"kind": Database["public"]['Enums']["customer_kind"],"last_order_at": string | null,"net_spend": number | null,"order_count": number | null,"org_id": string,"owner_id": string | null,"owner_name": string | null,"primary_email": string | null,"primary_phone": string | null,"referral_count": number | null,"rfm_segment": Database["public"]['Enums']["rfm_segment"] | null,"stage_override": Database["public"]['Enums']["lifecycle_stage"] | null,"tags": (string)[] | null,"ticket_band": Database["public"]['Enums']["ticket_band"] | null,"updated_at": string,"value_tier": Database["public"]['Enums']["value_tier"] | null
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "customers_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "customers_owner_id_fkey"
      columns: ["org_id","owner_id"]
isOneToOne: false
      referencedRelation: "members"
      referencedColumns: ["org_id","user_id"]
    }
                  ]
                },"duplicate_customers": {
                  Row: {
                    "customer_id": string | null,"customer_name": string | null,"duplicate_id": string | null,"duplicate_name": string | null,"evidence": (string)[] | null,"org_id": string | null,"reasons": (string)[] | null
                  }
                  ComputedFields: never
                  Relationships: [
                    
                  ]
                },"segment_members": {
                  Row: {
                    "computed_at": string,"customer_id": string,"display_name": string | null,"effective_stage": Database["public"]['Enums']["lifecycle_stage"] | null,"net_spend": number,"org_id": string,"primary_email": string | null,"segment_id": string,"segment_name": string,"value_tier": Database["public"]['Enums']["value_tier"]
                  }
                  ComputedFields: never
                  Relationships: [
                    {
      foreignKeyName: "segments_org_id_fkey"
      columns: ["org_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Functions: {
            "accept_invitation":
{ Args: { "p_invitation": string }; Returns: Json
                           },
"add_follow_up":
{ Args: { "p_assignee"?: string,"p_due_at": string,"p_identifier": Json,"p_note": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"add_note":
{ Args: { "p_body": string,"p_customer_id": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"assign_customer":
{ Args: { "p_customer": string,"p_member": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"claim_customer":
{ Args: { "p_customer": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"complete_follow_up":
{ Args: { "p_follow_up": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"customer_context":
{ Args: { "p_identifiers": Json,"p_org": string }; Returns: {
              "customer_id": string,"index": number,"kind": string,"normalized": string,"portrait": Json,"value": string
            }[]
                           },
"customer_timeline":
{ Args: { "p_before"?: string,"p_before_key"?: string,"p_customer": string,"p_limit"?: number,"p_org": string }; Returns: Json
                           },
"decline_invitation":
{ Args: { "p_invitation": string }; Returns: Json
                           },
"import_apply":
{ Args: { "p_org": string }; Returns: Json
                           },
"import_apply_held":
{ Args: { "p_org": string }; Returns: undefined
                           },
"import_recount":
{ Args: { "p_batches": (string)[],"p_org": string }; Returns: undefined
                           },
"list_tags":
{ Args: { "p_org": string }; Returns: {
              "category": Database["public"]['Enums']["tag_category"],"colour": string,"description": string,"id": string,"name": string
            }[]
                           },
"member_addresses":
{ Args: { "p_org": string }; Returns: string[]
                           },
"merge_customers":
{ Args: { "p_keep": string,"p_merge": string,"p_org": string,"p_request_id"?: string }; Returns: Json
                           },
"my_follow_ups":
{ Args: { "p_org": string,"p_until": string }; Returns: {
              "created_at": string,"created_by": string,"created_by_name": string,"customer_id": string,"display_name": string,"due_at": string,"effective_stage": Database["public"]['Enums']["lifecycle_stage"],"follow_up_id": string,"note": string,"overdue": boolean,"primary_email": string,"primary_phone": string
            }[]
                           },
"my_invitations":
{ Args: Record<PropertyKey, never>; Returns: {
              "created_at": string,"expires_at": string,"invitation_id": string,"invited_by_name": string,"org_id": string,"org_name": string,"role": Database["public"]['Enums']["member_role"]
            }[]
                           },
"my_orgs":
{ Args: Record<PropertyKey, never>; Returns: {
              "name": string,"org_id": string,"role": Database["public"]['Enums']["member_role"],"settings": Json
            }[]
                           },
"my_pool_returns":
{ Args: { "p_org": string,"p_within_days"?: number }; Returns: {
              "customer_id": string,"display_name": string,"lifecycle_stage": Database["public"]['Enums']["lifecycle_stage"],"primary_email": string,"primary_phone": string,"recycle_at": string,"value_tier": Database["public"]['Enums']["value_tier"]
            }[]
                           },
"org_members":
{ Args: { "p_org": string }; Returns: {
              "display_name": string,"email": string,"role": Database["public"]['Enums']["member_role"],"user_id": string
            }[]
                           },
"pool_customers":
{ Args: { "p_filter"?: Json,"p_limit"?: number,"p_org": string }; Returns: {
              "customer_id": string,"display_name": string,"last_order_at": string,"lifecycle_stage": Database["public"]['Enums']["lifecycle_stage"],"net_spend": number,"order_count": number,"pooled_at": string,"primary_email": string,"primary_phone": string,"value_tier": Database["public"]['Enums']["value_tier"]
            }[]
                           },
"recompute_segments":
{ Args: { "p_kind"?: string,"p_org": string }; Returns: Json
                           },
"record_satisfaction":
{ Args: { "p_channel"?: string,"p_comment"?: string,"p_identifier": Json,"p_org": string,"p_request_id"?: string,"p_scale": string,"p_score": number }; Returns: Json
                           },
"refresh_after_import":
{ Args: { "p_org": string }; Returns: Json
                           },
"release_customer":
{ Args: { "p_customer": string,"p_org": string,"p_reason"?: string,"p_request_id"?: string }; Returns: Json
                           },
"search_customers":
{ Args: { "p_limit"?: number,"p_org": string,"p_query": string }; Returns: {
              "customer_id": string,"display_name": string,"effective_stage": Database["public"]['Enums']["lifecycle_stage"],"matched_kind": string,"matched_value": string,"primary_email": string,"primary_phone": string,"value_tier": Database["public"]['Enums']["value_tier"]
            }[]
                           },
"set_lifecycle_stage":
{ Args: { "p_customer_id": string,"p_org": string,"p_reason"?: string,"p_request_id"?: string,"p_stage": string }; Returns: Json
                           },
"stage_overview":
{ Args: { "p_from": string,"p_org": string,"p_to": string }; Returns: Json
                           },
"tag_customer":
{ Args: { "p_display_name"?: string,"p_identifier": Json,"p_org": string,"p_page_title"?: string,"p_page_url"?: string,"p_request_id"?: string,"p_tags": Json }; Returns: Json
                           },
"untag_customer":
{ Args: { "p_identifier": Json,"p_org": string,"p_request_id"?: string,"p_tags": Json }; Returns: Json
                           }
          }
          Enums: {
            "company_size": "1-10"|"11-50"|"51-200"|"201-500"|"501-1000"|"1001-5000"|"5001+","customer_kind": "person"|"company","event_kind": "email_in"|"email_out"|"visit"|"cart"|"checkout"|"review"|"referral"|"support"|"call"|"meeting"|"captured"|"other","identity_kind": "email"|"phone"|"shop_customer"|"shop_order"|"domain","import_status": "pending"|"applied"|"rejected"|"duplicate","lifecycle_stage": "prospect"|"lead"|"new"|"active"|"loyal"|"at_risk"|"churned"|"reactivated","member_role": "admin"|"rep"|"staff","order_source": "shopify"|"woocommerce"|"manual"|"import","order_status": "paid"|"refunded"|"cancelled"|"pending","ownership_change_reason": "claimed"|"released"|"assigned"|"recycled","recompute_kind": "full"|"dirty"|"drift","rfm_segment": "champions"|"loyal"|"potential_loyalist"|"new_customer"|"promising"|"need_attention"|"about_to_sleep"|"cant_lose"|"at_risk"|"lost"|"hibernating","satisfaction_channel": "phone"|"mail"|"wechat"|"visit","satisfaction_scale": "csat5"|"nps10","shop_provider": "shopify"|"woocommerce","stage_change_source": "computed"|"manual","tag_category": "demographic"|"preference"|"behaviour"|"value"|"custom","tag_change_action": "added"|"removed","tag_source": "manual"|"rule"|"import","ticket_band": "high"|"low","value_tier": "normal"|"vip"|"super"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "company_size": ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"],"customer_kind": ["person", "company"],"event_kind": ["email_in", "email_out", "visit", "cart", "checkout", "review", "referral", "support", "call", "meeting", "captured", "other"],"identity_kind": ["email", "phone", "shop_customer", "shop_order", "domain"],"import_status": ["pending", "applied", "rejected", "duplicate"],"lifecycle_stage": ["prospect", "lead", "new", "active", "loyal", "at_risk", "churned", "reactivated"],"member_role": ["admin", "rep", "staff"],"order_source": ["shopify", "woocommerce", "manual", "import"],"order_status": ["paid", "refunded", "cancelled", "pending"],"ownership_change_reason": ["claimed", "released", "assigned", "recycled"],"recompute_kind": ["full", "dirty", "drift"],"rfm_segment": ["champions", "loyal", "potential_loyalist", "new_customer", "promising", "need_attention", "about_to_sleep", "cant_lose", "at_risk", "lost", "hibernating"],"satisfaction_channel": ["phone", "mail", "wechat", "visit"],"satisfaction_scale": ["csat5", "nps10"],"shop_provider": ["shopify", "woocommerce"],"stage_change_source": ["computed", "manual"],"tag_category": ["demographic", "preference", "behaviour", "value", "custom"],"tag_change_action": ["added", "removed"],"tag_source": ["manual", "rule", "import"],"ticket_band": ["high", "low"],"value_tier": ["normal", "vip", "super"]
          }
        }
} as const
