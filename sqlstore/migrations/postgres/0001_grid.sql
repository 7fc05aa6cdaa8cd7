-- Grid data: placeholder, replaced by the store implementation.
CREATE TABLE grid_placeholder (id INTEGER PRIMARY KEY);
