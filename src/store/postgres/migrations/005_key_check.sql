-- One value sealed with the secret key by the first node that opens the
-- database. Every node opening it later must be able to open the value, so a
-- node started with another --secret-key-file is refused at start instead of
-- failing later on every webhook secret.
CREATE TABLE key_check (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sealed TEXT NOT NULL
);
