// A thin RAII layer over SQLite's C API: one connection, prepared
// statements with bound parameters, and transactions. Every failure throws a
// store_error naming the file and what SQLite said.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace webaccel {

/// A metrics DB that cannot be opened, read or written.
class store_error : public std::runtime_error {
public:
  /// `refused`: the file is not one this build may write (newer schema,
  /// another program's); else an I/O failure that may pass (disk full,
  /// permissions, locked).
  explicit store_error(const std::string& what, bool refused = false)
    : std::runtime_error(what), refused_(refused) {
    // nop
  }

  bool refused() const {
    return refused_;
  }

private:
  bool refused_;
};

class sqlite_statement;

class sqlite_db {
public:
  /// Opens (or, with `create`, creates) the file. @throws store_error.
  sqlite_db(const std::string& path, bool create);
  ~sqlite_db();
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  /// Runs one or more statements with no parameters and no results.
  void exec(const std::string& sql);

  /// The first column of the first row of `sql`, if any row.
  std::optional<int64_t> query_int(const std::string& sql);

  sqlite_statement prepare(const std::string& sql);

  int64_t last_insert_id() const;

  /// Rows the last INSERT, UPDATE or DELETE changed.
  int64_t changes() const;

  const std::string& path() const {
    return path_;
  }

  /// Throws a store_error for SQLite result `rc` of `what`.
  [[noreturn]] void fail(int rc, const std::string& what) const;

  sqlite3* handle() const {
    return db_;
  }

private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

/// A prepared statement; `bind` numbers parameters from 1.
class sqlite_statement {
public:
  sqlite_statement(sqlite_db& db, const std::string& sql);
  ~sqlite_statement();
  sqlite_statement(sqlite_statement&& other) noexcept;
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;
  sqlite_statement& operator=(sqlite_statement&&) = delete;

  sqlite_statement& bind(int index, int64_t value);
  sqlite_statement& bind(int index, double value);
  sqlite_statement& bind(int index, const std::string& value);
  sqlite_statement& bind_null(int index);

  /// Steps once: true while there is a row to read.
  bool step();

  /// Runs a statement that returns no rows, then resets it for reuse.
  void run();

  /// Resets the statement and clears its bindings for the next use.
  void reset();

  int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

private:
  sqlite_db* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

/// BEGIN IMMEDIATE at construction; ROLLBACK at destruction unless
/// commit() ran.
class sqlite_transaction {
public:
  explicit sqlite_transaction(sqlite_db& db);
  ~sqlite_transaction();
  sqlite_transaction(const sqlite_transaction&) = delete;
  sqlite_transaction& operator=(const sqlite_transaction&) = delete;

  void commit();

private:
  sqlite_db& db_;
  bool done_ = false;
};

} // namespace webaccel
