-- A decision's reason as a code (off_topic, abusive, spam, duplicate, personal_data, other),
-- beside the free text: decisions a team can count and defend.
ALTER TABLE comments ADD COLUMN reason_code TEXT;
ALTER TABLE moderation_events ADD COLUMN reason_code TEXT;
