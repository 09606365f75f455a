DROP STATISTICS comments_document_section;
DROP INDEX comments_document_order;
DROP INDEX comments_section_order;
