DROP INDEX comments_document_order;
DROP INDEX comments_section_order;
