-- The app database as release b869e48 (the last before migrations) made it, with a user and a
-- feedback entry: its tables compiled for this dialect by that release's own models.
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	user VARCHAR(64) NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	doc_id VARCHAR(200) NOT NULL, 
	version INTEGER NOT NULL, 
	old_hash VARCHAR(64), 
	new_hash VARCHAR(64) NOT NULL, 
	reason TEXT NOT NULL, 
	outcome VARCHAR(16), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_log_doc_id ON audit_log (doc_id);
CREATE TABLE eval_jobs (
	id INTEGER NOT NULL, 
	dataset TEXT NOT NULL, 
	started_by VARCHAR(64) NOT NULL, 
	started_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	total INTEGER NOT NULL, 
	done INTEGER NOT NULL, 
	run_id INTEGER, 
	error TEXT, 
	PRIMARY KEY (id)
);
CREATE TABLE eval_runs (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	dataset TEXT NOT NULL, 
	dataset_hash VARCHAR(64) NOT NULL, 
	snapshot_json TEXT NOT NULL, 
	embed_model TEXT NOT NULL, 
	settings_json TEXT NOT NULL, 
	figures_json TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE failed_sign_ins (
	id INTEGER NOT NULL, 
	"key" VARCHAR(200) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_failed_sign_ins_key ON failed_sign_ins ("key");
CREATE INDEX ix_failed_sign_ins_at ON failed_sign_ins (at);
CREATE TABLE feedback (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	rating VARCHAR(8) NOT NULL, 
	comment TEXT NOT NULL, 
	"query" TEXT NOT NULL, 
	answer_status VARCHAR(16) NOT NULL, 
	response_json TEXT NOT NULL, 
	session_id VARCHAR(128), 
	PRIMARY KEY (id)
);
CREATE TABLE originals (
	id INTEGER NOT NULL, 
	doc_key VARCHAR(200) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	form_json TEXT NOT NULL, 
	uploaded_by VARCHAR(64) NOT NULL, 
	uploaded_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_originals_doc_key ON originals (doc_key);
CREATE TABLE review_items (
	id INTEGER NOT NULL, 
	feedback_id INTEGER NOT NULL, 
	item_id VARCHAR(128), 
	item_json TEXT NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	decided_by VARCHAR(128) NOT NULL, 
	decided_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (feedback_id), 
	UNIQUE (item_id)
);
CREATE TABLE unanswered (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	"query" TEXT NOT NULL, 
	topic VARCHAR(500) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_unanswered_topic ON unanswered (topic);
CREATE TABLE users (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	password_hash VARCHAR(128), 
	token_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	disabled_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	UNIQUE (token_hash)
);
CREATE TABLE eval_items (
	id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	item_id TEXT NOT NULL, 
	correct BOOLEAN NOT NULL, 
	item_json TEXT NOT NULL, 
	response_json TEXT, 
	error TEXT, 
	latency_ms FLOAT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(run_id) REFERENCES eval_runs (id)
);
CREATE INDEX ix_eval_items_run_id ON eval_items (run_id);
CREATE TABLE sign_ins (
	id VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	csrf_token VARCHAR(64) NOT NULL, 
	expires_at DATETIME NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_sign_ins_user_id ON sign_ins (user_id);
INSERT INTO users (name, role, token_hash, password_hash, created_at) VALUES ('ann', 'admin', 'x', NULL, '2026-12-01 10:00:00');
INSERT INTO feedback (created_at, query, rating, comment, session_id, answer_status, response_json) VALUES ('2026-12-01 10:00:00', '星辰金卡年费多少', 'down', '没说附属卡', NULL, 'answered', '{}');
