#include "transport/store/sqlite_db.hpp"

#include <sqlite3.h>

namespace webaccel {

// -- sqlite_db ----------------------------------------------------------------

sqlite_db::sqlite_db(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create)
    flags |= SQLITE_OPEN_CREATE;
  auto rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw store_error("metrics DB " + path + ": cannot open: " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
}

sqlite_db::~sqlite_db() {
  // Statements are finalized by their owners first; close_v2 waits for any
  // that are not.
  sqlite3_close_v2(db_);
}

void sqlite_db::fail(int rc, const std::string& what) const {
  std::string why = sqlite3_errstr(rc);
  if (db_ != nullptr && sqlite3_errcode(db_) == rc)
    why = sqlite3_errmsg(db_);
  throw store_error("metrics DB " + path_ + ": " + what + ": " + why);
}

void sqlite_db::exec(const std::string& sql) {
  char* msg = nullptr;
  auto rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string why = msg != nullptr ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    throw store_error("metrics DB " + path_ + ": " + why
                      + " (in: " + sql.substr(0, 60) + ")");
  }
}

std::optional<int64_t> sqlite_db::query_int(const std::string& sql) {
  auto st = prepare(sql);
  if (!st.step() || st.column_is_null(0))
    return std::nullopt;
  return st.column_int(0);
}

sqlite_statement sqlite_db::prepare(const std::string& sql) {
  return sqlite_statement{*this, sql};
}

int64_t sqlite_db::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

int64_t sqlite_db::changes() const {
  return sqlite3_changes(db_);
}

// -- sqlite_statement ---------------------------------------------------------

sqlite_statement::sqlite_statement(sqlite_db& db, const std::string& sql)
  : db_(&db), sql_(sql) {
  auto rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr);
  if (rc != SQLITE_OK)
    db.fail(rc, "cannot prepare '" + sql.substr(0, 60) + "'");
}

sqlite_statement::~sqlite_statement() {
  sqlite3_finalize(stmt_);
}

sqlite_statement::sqlite_statement(sqlite_statement&& other) noexcept
  : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

sqlite_statement& sqlite_statement::bind(int index, int64_t value) {
  if (auto rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK)
    db_->fail(rc, "cannot bind parameter " + std::to_string(index));
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, double value) {
  if (auto rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK)
    db_->fail(rc, "cannot bind parameter " + std::to_string(index));
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, const std::string& value) {
  if (auto rc = sqlite3_bind_text(stmt_, index, value.data(),
                                  static_cast<int>(value.size()),
                                  SQLITE_TRANSIENT);
      rc != SQLITE_OK)
    db_->fail(rc, "cannot bind parameter " + std::to_string(index));
  return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index) {
  if (auto rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK)
    db_->fail(rc, "cannot bind parameter " + std::to_string(index));
  return *this;
}

bool sqlite_statement::step() {
  auto rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  db_->fail(rc, "'" + sql_.substr(0, 60) + "' failed");
}

void sqlite_statement::run() {
  while (step()) {
    // A statement run for its effect; rows, if any, are not needed.
  }
  reset();
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t sqlite_statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

double sqlite_statement::column_double(int index) const {
  return sqlite3_column_double(stmt_, index);
}

std::string sqlite_statement::column_text(int index) const {
  auto p = sqlite3_column_text(stmt_, index);
  if (p == nullptr)
    return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

bool sqlite_statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

// -- sqlite_transaction -------------------------------------------------------

sqlite_transaction::sqlite_transaction(sqlite_db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

sqlite_transaction::~sqlite_transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const store_error&) {
      // A failed COMMIT may already have rolled back.
    }
  }
}

void sqlite_transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

} // namespace webaccel
