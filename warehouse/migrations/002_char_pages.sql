-- Page of each character when a paragraph runs on to another page (NULL otherwise):
-- its char_boxes are then in that page's coordinates.
ALTER TABLE paragraph_geometry ADD COLUMN IF NOT EXISTS char_pages SMALLINT[];
