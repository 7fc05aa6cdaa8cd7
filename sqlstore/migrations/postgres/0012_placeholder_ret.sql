-- Placeholder so that 0014_retention (issue 13) applies on branch ret; the lead deletes it at merge, when 0012 and 0013 are other branches' migrations.
SELECT 1;
