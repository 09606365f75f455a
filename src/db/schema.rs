//! Table definitions shared by both backends (the migrations keep them identical).

diesel::table! {
    units (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        email_normalized -> Text,
        full_name -> Text,
        name_search -> Text,
        unit_id -> Nullable<BigInt>,
        password_hash -> Nullable<Text>,
        active -> Bool,
        locale -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        moderation_digest -> Bool,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        title -> Text,
        title_search -> Text,
        title_lower -> Text,
        code -> Nullable<Text>,
        summary -> Nullable<Text>,
        status -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        created_by -> BigInt,
        published_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        current_version -> Integer,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sections (id) {
        id -> BigInt,
        document_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        label -> Nullable<Text>,
        heading -> Nullable<Text>,
        body -> Text,
        path -> Text,
        created_at -> Timestamp,
        text_search -> Text,
        text_lower -> Text,
        current -> Bool,
        approved_comments -> Integer,
        comments_revision -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        document_id -> BigInt,
        section_id -> Nullable<BigInt>,
        author_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        body -> Text,
        proposed_text -> Nullable<Text>,
        status -> Text,
        receipt -> Text,
        reason -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        text_search -> Text,
        text_lower -> Text,
        round_id -> Nullable<BigInt>,
        version -> Integer,
        claimed_by -> Nullable<BigInt>,
        claimed_until -> Nullable<Timestamp>,
        reason_code -> Nullable<Text>,
        screening_score -> Integer,
        screening -> Nullable<Text>,
        proposed_by -> Nullable<BigInt>,
        cluster_id -> Nullable<BigInt>,
        on_behalf_of_unit -> Bool,
        contributed_by -> Nullable<Text>,
        origin -> Nullable<Text>,
    }
}

diesel::table! {
    rollup_imports (id) {
        id -> BigInt,
        document_id -> BigInt,
        digest -> Text,
        from_unit -> Text,
        comments -> Integer,
        imported_by -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    moderation_digests (day) {
        day -> Text,
        queued_at -> Timestamp,
    }
}

diesel::table! {
    comment_buckets (document_id, bucket, comment_id) {
        document_id -> BigInt,
        bucket -> BigInt,
        comment_id -> BigInt,
    }
}

diesel::table! {
    comment_revisions (id) {
        id -> BigInt,
        comment_id -> BigInt,
        body -> Text,
        proposed_text -> Nullable<Text>,
        written_at -> Timestamp,
        replaced_at -> Timestamp,
    }
}

diesel::table! {
    moderation_events (id) {
        id -> BigInt,
        comment_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        reason_code -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        detail -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    comment_counts (author_id, hour) {
        author_id -> BigInt,
        hour -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    comment_responses (comment_id) {
        comment_id -> BigInt,
        document_id -> BigInt,
        decision -> Text,
        rationale -> Text,
        applied_in_section_id -> Nullable<BigInt>,
        responded_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    comment_response_history (id) {
        id -> BigInt,
        comment_id -> BigInt,
        decision -> Text,
        rationale -> Text,
        applied_in_section_id -> Nullable<BigInt>,
        responded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    screening_terms (term) {
        term -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(sections -> documents (document_id));
diesel::joinable!(comments -> documents (document_id));
diesel::joinable!(comments -> sections (section_id));
diesel::joinable!(comments -> units (unit_id));
diesel::joinable!(moderation_events -> comments (comment_id));
diesel::joinable!(comment_revisions -> comments (comment_id));
diesel::joinable!(comment_responses -> comments (comment_id));
diesel::joinable!(comment_response_history -> comments (comment_id));

diesel::allow_tables_to_appear_in_same_query!(
    comment_counts,
    screening_terms,
    units,
    users,
    user_roles,
    sessions,
    documents,
    sections,
    comments,
    moderation_events,
    comment_revisions,
    comment_responses,
    comment_response_history,
    comment_buckets,
    rollup_imports,
    moderation_digests,
    audit_log,
    mail_outbox,
    document_versions,
    section_versions,
    rounds,
    round_audience,
);

diesel::table! {
    account_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failure -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(account_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(account_tokens, users);

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        request_hash -> Text,
        comment_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    document_versions (document_id, number) {
        document_id -> BigInt,
        number -> Integer,
        status -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    section_versions (section_id, version) {
        section_id -> BigInt,
        version -> Integer,
        document_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        position -> Integer,
        label -> Nullable<Text>,
        heading -> Nullable<Text>,
        body -> Text,
        path -> Text,
    }
}

diesel::table! {
    rounds (id) {
        id -> BigInt,
        document_id -> BigInt,
        number -> Integer,
        title -> Nullable<Text>,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        version -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        opened_mailed_at -> Nullable<Timestamp>,
        reminder_mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    round_audience (round_id, unit_id) {
        round_id -> BigInt,
        unit_id -> BigInt,
    }
}

diesel::joinable!(section_versions -> sections (section_id));
diesel::joinable!(comments -> rounds (round_id));
diesel::joinable!(round_audience -> rounds (round_id));
diesel::joinable!(rounds -> documents (document_id));
