/*
 * External scanner for the dockerfile-lsp Dockerfile grammar.
 *
 * It owns every token whose shape depends on the active escape character or
 * on more than the current line:
 *
 *   - line continuations (escape character, trailing blanks, newline), and
 *     the comment and blank lines BuildKit skips inside a continuation;
 *   - the end of an instruction (blanks, then a newline or the end of file);
 *   - parser directives at the top of the file (`# escape=` switches the
 *     escape character for the rest of the file);
 *   - runs of argument text, which stop at the continuation, at `$NAME` /
 *     `${...}` expansions and at the separators of their context;
 *   - opaque shell text, with heredoc markers (`<<EOF`, `<<-"EOF"`) found at
 *     word starts outside quotes, and heredoc bodies and terminators;
 *   - exec form: `[` opens a JSON array only when the rest of the logical
 *     line is one, otherwise the text is shell form, as in BuildKit.
 *
 * The state that survives between tokens is small: the escape character,
 * whether parser directives are still possible, the shell quote state, and
 * the heredocs still waiting for their bodies.
 */

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType {
  EOL,
  LINE_CONTINUATION,
  COMMENT,
  BLANK_LINE,
  COMMENT_LINE,
  DIRECTIVE_START,
  DIRECTIVE_VALUE,
  FLAG_NAME,
  MOUNT_FLAG_NAME,
  END_OF_FLAGS,
  JSON_OPEN,
  SHELL_FRAGMENT,
  HEREDOC_START,
  HEREDOC_DELIMITER,
  HEREDOC_NL,
  HEREDOC_BODY,
  HEREDOC_END,
  TEXT,
  KEY_TEXT,
  VALUE_TEXT,
  DQ_TEXT,
  SQ_TEXT,
  OPTION_TEXT,
  BRACE_TEXT,
  IMAGE_NAME_TEXT,
  IMAGE_TAG_TEXT,
  IMAGE_DIGEST_TEXT,
  WS,
  INDENT,
  INDENT_BEFORE_FROM,
  ONBUILD_TRIGGER,
  FROM_EXTRA,
  ERROR_SENTINEL,
};

#define MAX_HEREDOCS 8
#define MAX_DELIMITER 64
#define MAX_JSON_DEPTH 32

typedef struct {
  bool chomp;
  uint8_t length;
  char name[MAX_DELIMITER];
} Heredoc;

typedef struct {
  int32_t escape;
  /* The last token was a continuation or comment line inside a continuation,
     and the next line is a comment line: the next scan is at its start. */
  bool comment_next;
  uint8_t quote; /* shell quote state: 0, '\'' or '"' */
  /* The last token other than a continuation or comment was `_ws`: the
     indentation of the continued line then belongs to the continuation (or
     comment) token, so that `_ws` never follows `_ws`. */
  bool after_ws;
  uint8_t heredoc_count;
  Heredoc heredocs[MAX_HEREDOCS];
} Scanner;

/* ------------------------------------------------------------------------ */
/* small helpers                                                            */

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }
static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }
static inline bool is_newline(int32_t c) { return c == '\n' || c == '\r'; }
static inline bool at_line_end(TSLexer *lexer) {
  int32_t c = lexer->lookahead;
  return c == '\n' || c == '\r' || (c == 0 && lexer->eof(lexer));
}
static inline bool is_name_start(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static inline bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_alnum(int32_t c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* Consumes one line break (`\n`, `\r\n` or a lone `\r`) if there is one. */
static void consume_newline(TSLexer *lexer) {
  if (lexer->lookahead == '\r') advance(lexer);
  if (lexer->lookahead == '\n') advance(lexer);
}

static void consume_rest_of_line(TSLexer *lexer) {
  while (!at_line_end(lexer)) advance(lexer);
}

/*
 * At the start of a line inside a continuation: consumes the lines that are
 * blank (marking the end after each) and reports whether the first line
 * that is not blank is a comment line. Blanks of a content line are read
 * but stay outside the token.
 */
static bool skip_blank_lines(TSLexer *lexer, bool take_indentation) {
  for (;;) {
    lexer->mark_end(lexer);
    while (is_blank(lexer->lookahead)) advance(lexer);
    if (lexer->eof(lexer)) {
      lexer->mark_end(lexer);
      return false;
    }
    if (lexer->lookahead == '#') return true;
    if (!is_newline(lexer->lookahead)) {
      if (take_indentation) lexer->mark_end(lexer);
      return false;
    }
    consume_newline(lexer);
  }
}

/*
 * With the lexer just past an escape character: consumes trailing blanks
 * and reports whether the line ends there, i.e. whether the escape character
 * was a line continuation. Does not consume the newline.
 */
static bool rest_is_continuation(TSLexer *lexer, uint32_t *blanks) {
  *blanks = 0;
  while (is_blank(lexer->lookahead)) {
    advance(lexer);
    (*blanks)++;
  }
  return at_line_end(lexer);
}

/*
 * Finishes a line continuation whose escape character and trailing blanks
 * were consumed: the line break and the blank lines after it belong to the
 * token; a comment line after it is announced for the next scan.
 */
static bool finish_continuation(Scanner *s, TSLexer *lexer) {
  consume_newline(lexer);
  s->comment_next = skip_blank_lines(lexer, s->after_ws);
  lexer->result_symbol = LINE_CONTINUATION;
  return true;
}

/*
 * Consumes the rest of the line, up to a line continuation (which stays
 * outside the token) or the line break; the end is marked.
 */
static void consume_rest_of_logical_line(Scanner *s, TSLexer *lexer) {
  for (;;) {
    lexer->mark_end(lexer);
    if (at_line_end(lexer)) return;
    while (!at_line_end(lexer) && lexer->lookahead != s->escape) advance(lexer);
    if (at_line_end(lexer)) {
      lexer->mark_end(lexer);
      return;
    }
    lexer->mark_end(lexer);
    advance(lexer);
    uint32_t blanks;
    if (rest_is_continuation(lexer, &blanks)) return;
  }
}

/*
 * Consumes the rest of the logical line: its line continuations (and the
 * lines they join) included, up to the line break that ends it.
 */
static void consume_logical_line(Scanner *s, TSLexer *lexer) {
  while (!at_line_end(lexer)) {
    if (lexer->lookahead == s->escape) {
      advance(lexer);
      uint32_t blanks;
      if (rest_is_continuation(lexer, &blanks)) {
        if (lexer->eof(lexer)) break;
        consume_newline(lexer);
      }
      continue;
    }
    advance(lexer);
  }
  lexer->mark_end(lexer);
}

/* ------------------------------------------------------------------------ */
/* heredocs                                                                 */

static void push_heredoc(Scanner *s, bool chomp, const char *name, uint8_t length) {
  if (s->heredoc_count >= MAX_HEREDOCS) return;
  Heredoc *h = &s->heredocs[s->heredoc_count++];
  h->chomp = chomp;
  h->length = length;
  memcpy(h->name, name, length);
}

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  memmove(&s->heredocs[0], &s->heredocs[1], sizeof(Heredoc) * (s->heredoc_count - 1));
  s->heredoc_count--;
}

/*
 * At a word start with the lexer on `<`: checks for a heredoc marker
 * `<<[-]WORD` (WORD without `<`, possibly quoted) and consumes it. On
 * success `*start_end` is called (via mark) after `<<` or `<<-`, and the
 * unquoted delimiter is stored in `name`.
 */
static bool scan_heredoc_marker(Scanner *s, TSLexer *lexer, bool mark, bool *chomp, char *name,
                                uint8_t *length) {
  if (lexer->lookahead != '<') return false;
  advance(lexer);
  if (lexer->lookahead != '<') return false;
  advance(lexer);
  *chomp = false;
  if (lexer->lookahead == '-') {
    *chomp = true;
    advance(lexer);
  }
  if (mark) lexer->mark_end(lexer);
  *length = 0;
  bool any = false;
  int32_t quote = 0;
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    if (is_newline(c)) break;
    if (quote == 0 && is_blank(c)) break;
    if (c == '<') return false;
    if (c == s->escape && quote == 0) {
      /* an escape character inside the delimiter is too unusual to follow */
      return false;
    }
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (quote != 0 && c == quote) {
      quote = 0;
    } else {
      if (*length < MAX_DELIMITER) name[(*length)++] = (char)c;
      any = true;
    }
    advance(lexer);
  }
  return any && quote == 0 && *length < MAX_DELIMITER;
}

static bool scan_heredoc_content(Scanner *s, TSLexer *lexer, const bool *valid) {
  Heredoc *h = &s->heredocs[0];
  bool has_body = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    if (h->chomp) {
      while (lexer->lookahead == '\t') advance(lexer);
    }
    uint8_t i = 0;
    while (i < h->length && lexer->lookahead == (unsigned char)h->name[i] && !lexer->eof(lexer)) {
      advance(lexer);
      i++;
    }
    if (i == h->length) {
      if (!has_body) lexer->mark_end(lexer);
      if (at_line_end(lexer)) {
        if (!has_body && valid[HEREDOC_END]) {
          pop_heredoc(s);
          lexer->result_symbol = HEREDOC_END;
          return true;
        }
        break;
      }
    }
    consume_rest_of_line(lexer);
    consume_newline(lexer);
    has_body = true;
  }
  if (has_body && valid[HEREDOC_BODY]) {
    lexer->result_symbol = HEREDOC_BODY;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------------ */
/* exec form                                                                */

typedef struct {
  Scanner *s;
  TSLexer *lexer;
} Json;

/* Skips blanks and line continuations inside a logical line. */
static bool json_skip(Json *j) {
  TSLexer *lexer = j->lexer;
  for (;;) {
    while (is_blank(lexer->lookahead)) advance(lexer);
    if (lexer->lookahead != j->s->escape || lexer->eof(lexer)) return true;
    advance(lexer);
    uint32_t blanks;
    if (!rest_is_continuation(lexer, &blanks)) return false;
    consume_newline(lexer);
    /* comment and blank lines inside the continuation */
    for (;;) {
      while (is_blank(lexer->lookahead)) advance(lexer);
      if (lexer->eof(lexer)) return true;
      if (lexer->lookahead == '#') {
        consume_rest_of_line(lexer);
        consume_newline(lexer);
      } else if (is_newline(lexer->lookahead)) {
        consume_newline(lexer);
      } else {
        break;
      }
    }
  }
}

static bool json_value(Json *j, int depth);

static bool json_string(Json *j) {
  TSLexer *lexer = j->lexer;
  if (lexer->lookahead != '"') return false;
  advance(lexer);
  for (;;) {
    if (at_line_end(lexer)) return false;
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == '"') return true;
    if (c == '\\') {
      if (at_line_end(lexer)) return false;
      advance(lexer);
    } else if (c < 0x20) {
      return false;
    }
  }
}

/* The rest of an array or object, its opening character consumed. */
static bool json_container_rest(Json *j, int32_t close, int depth) {
  TSLexer *lexer = j->lexer;
  if (!json_skip(j)) return false;
  if (lexer->lookahead == close) {
    advance(lexer);
    return true;
  }
  for (;;) {
    if (close == '}') {
      if (!json_string(j) || !json_skip(j) || lexer->lookahead != ':') return false;
      advance(lexer);
      if (!json_skip(j)) return false;
    }
    if (!json_value(j, depth + 1) || !json_skip(j)) return false;
    if (lexer->lookahead == close) {
      advance(lexer);
      return true;
    }
    if (lexer->lookahead != ',') return false;
    advance(lexer);
    if (!json_skip(j)) return false;
  }
}

static bool json_value(Json *j, int depth) {
  TSLexer *lexer = j->lexer;
  if (depth > MAX_JSON_DEPTH) return false;
  int32_t c = lexer->lookahead;
  if (c == '"') return json_string(j);
  if (c == '[' || c == '{') {
    advance(lexer);
    return json_container_rest(j, c == '[' ? ']' : '}', depth);
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    while (c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')) {
      advance(lexer);
      c = lexer->lookahead;
    }
    return true;
  }
  if (is_alpha(c)) {
    char word[6];
    int n = 0;
    while (is_alpha(lexer->lookahead) && n < 6) {
      word[n++] = (char)lexer->lookahead;
      advance(lexer);
    }
    return (n == 4 && (memcmp(word, "true", 4) == 0 || memcmp(word, "null", 4) == 0)) ||
           (n == 5 && memcmp(word, "false", 5) == 0);
  }
  return false;
}

/*
 * With the lexer just past `[`: is the rest of the logical line a JSON array?
 * (BuildKit treats anything else as shell form.)
 */
static bool rest_is_json_array(Scanner *s, TSLexer *lexer) {
  Json j = {s, lexer};
  return json_container_rest(&j, ']', 0) && json_skip(&j) && at_line_end(lexer);
}

/* ------------------------------------------------------------------------ */
/* text runs                                                                */

/* Does the run of this kind stop at character c (outside escapes)? */
static bool stops_at(int kind, int32_t c, bool in_shell) {
  if (in_shell) return false;
  switch (kind) {
    case TEXT:
    case IMAGE_DIGEST_TEXT:
      return is_blank(c);
    case KEY_TEXT:
      return is_blank(c) || c == '=' || c == '"' || c == '\'';
    case VALUE_TEXT:
      return is_blank(c) || c == '"' || c == '\'';
    case OPTION_TEXT:
      return is_blank(c) || c == ',' || c == '=' || c == '"' || c == '\'';
    case BRACE_TEXT:
      return is_blank(c) || c == '}' || c == '"' || c == '\'';
    case DQ_TEXT:
      return c == '"';
    case SQ_TEXT:
      return c == '\'';
    case IMAGE_NAME_TEXT:
      return is_blank(c) || c == '@';
    case IMAGE_TAG_TEXT:
      return is_blank(c) || c == '@';
    case HEREDOC_DELIMITER:
      return is_blank(c);
    default:
      return false;
  }
}

static bool expands_variables(int kind) {
  return kind != SHELL_FRAGMENT && kind != SQ_TEXT && kind != HEREDOC_DELIMITER;
}

/*
 * For an image name at `:`: a port when a `/` follows later in the word
 * (`registry:5000/image`), otherwise the start of the tag. Consumes the
 * lookahead; returns true (a port) with the lexer just past the `/`.
 */
static bool colon_is_port(TSLexer *lexer) {
  advance(lexer); /* ':' */
  while (!at_line_end(lexer)) {
    int32_t c = lexer->lookahead;
    if (c == '/') {
      advance(lexer);
      return true;
    }
    if (is_blank(c) || c == '@' || c == '$' || c == ':' || c == '\\' || c == '`') return false;
    advance(lexer);
  }
  return false;
}

/*
 * Scans a run of text of the given kind. `has_content` says whether
 * characters were already consumed (and marked) for this token.
 */
static bool scan_text(Scanner *s, TSLexer *lexer, const bool *valid, int kind, bool has_content) {
  bool in_shell = kind == SHELL_FRAGMENT;
  bool word_start = !has_content || in_shell;
  lexer->result_symbol = kind;
  for (;;) {
    if (in_shell) {
      /* Fast path: characters that mean nothing to this scanner. */
      int32_t c = lexer->lookahead;
      while (c > ' ' && c != s->escape && c != '\'' && c != '"' && c != '<' && c != '#' &&
             c != ';' && c != '&' && c != '|' && c != '(') {
        advance(lexer);
        has_content = true;
        word_start = false;
        c = lexer->lookahead;
      }
    }
    if (at_line_end(lexer)) break;
    int32_t c = lexer->lookahead;

    if (c == s->escape) {
      lexer->mark_end(lexer);
      advance(lexer);
      uint32_t blanks;
      if (rest_is_continuation(lexer, &blanks)) {
        if (has_content) return true;
        return finish_continuation(s, lexer);
      }
      has_content = true;
      word_start = false;
      if (blanks > 0) {
        /* an escaped blank; a run that stops at blanks ends after it */
        lexer->mark_end(lexer);
        if (stops_at(kind, ' ', in_shell)) return true;
        continue;
      }
      if (kind != SQ_TEXT && !(in_shell && s->quote == '\'')) advance(lexer);
      lexer->mark_end(lexer);
      continue;
    }

    if (stops_at(kind, c, in_shell)) break;

    if (c == '$' && expands_variables(kind)) {
      lexer->mark_end(lexer);
      advance(lexer);
      if (lexer->lookahead == '{' &&
          (kind == IMAGE_NAME_TEXT || kind == IMAGE_TAG_TEXT || kind == IMAGE_DIGEST_TEXT)) {
        /*
         * In an image reference, a `${` that no name and `}` or operator
         * follow is no expansion the grammar can read (`FROM ${NOPE`):
         * the word is text, which validation reports in BuildKit's words,
         * instead of an error that swallows the stage.
         */
        advance(lexer);
        while (is_name_start(lexer->lookahead) || (lexer->lookahead >= '0' && lexer->lookahead <= '9')) {
          advance(lexer);
        }
        int32_t next = lexer->lookahead;
        if (next == '}' || next == ':' || next == '-' || next == '+' || next == '?' || next == '#' ||
            next == '%' || next == '/') {
          return has_content;
        }
        has_content = true;
        word_start = false;
        lexer->mark_end(lexer);
        continue;
      }
      if (is_name_start(lexer->lookahead) || lexer->lookahead == '{') {
        return has_content;
      }
      has_content = true;
      word_start = false;
      lexer->mark_end(lexer);
      continue;
    }

    if (kind == IMAGE_NAME_TEXT && c == ':') {
      lexer->mark_end(lexer);
      if (!colon_is_port(lexer)) return has_content;
      has_content = true;
      lexer->mark_end(lexer);
      continue;
    }

    if (in_shell) {
      if (s->quote == 0 && word_start && c == '<' && valid[HEREDOC_START]) {
        lexer->mark_end(lexer);
        bool chomp;
        char name[MAX_DELIMITER];
        uint8_t length;
        if (scan_heredoc_marker(s, lexer, false, &chomp, name, &length)) return has_content;
        /* not a heredoc: what was consumed is shell text */
        has_content = true;
        word_start = false;
        lexer->mark_end(lexer);
        continue;
      }
      if (s->quote == 0 && word_start && c == '#') {
        /* a shell comment runs to the end of the line */
        while (!at_line_end(lexer) && lexer->lookahead != s->escape) advance(lexer);
        has_content = true;
        lexer->mark_end(lexer);
        continue;
      }
      if (c == '\'' && s->quote != '"') {
        s->quote = s->quote == '\'' ? 0 : '\'';
      } else if (c == '"' && s->quote != '\'') {
        s->quote = s->quote == '"' ? 0 : '"';
      }
      word_start = is_blank(c) || c == ';' || c == '&' || c == '|' || c == '(';
    }

    /* Ordinary characters are not marked one by one: the end is marked
       before each look-ahead and once more where the run stops. */
    advance(lexer);
    has_content = true;
  }
  if (has_content) lexer->mark_end(lexer);
  return has_content;
}

/* Which text kind, if any, the parser accepts here (at most one applies). */
static int text_kind(const bool *valid) {
  /* Inside a quoted string its own text comes first: the closing quote is
     optional, so the text that would follow the string is valid too. */
  static const int kinds[] = {HEREDOC_DELIMITER, DQ_TEXT,         SQ_TEXT,        SHELL_FRAGMENT,
                              IMAGE_NAME_TEXT,   IMAGE_TAG_TEXT,  IMAGE_DIGEST_TEXT, OPTION_TEXT,
                              KEY_TEXT,          VALUE_TEXT,      BRACE_TEXT,     TEXT};
  for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    if (valid[kinds[i]]) return kinds[i];
  }
  return -1;
}

/* ------------------------------------------------------------------------ */
/* parser directives                                                        */

static bool key_is(const char *key, int length, const char *want) {
  if ((int)strlen(want) != length) return false;
  for (int i = 0; i < length; i++) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != want[i]) return false;
  }
  return true;
}

/*
 * With the lexer just past `#` (and marked there): is this line a known
 * parser directive? Consumes the line. Sets the escape character for
 * `# escape=`.
 */
static bool scan_directive(Scanner *s, TSLexer *lexer) {
  while (is_blank(lexer->lookahead)) advance(lexer);
  lexer->mark_end(lexer);
  char key[16];
  int length = 0;
  if (!is_alpha(lexer->lookahead)) return false;
  while (is_alnum(lexer->lookahead)) {
    if (length < (int)sizeof(key)) key[length] = (char)lexer->lookahead;
    length++;
    advance(lexer);
  }
  if (length > (int)sizeof(key)) return false;
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (lexer->lookahead != '=') return false;
  advance(lexer);
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (at_line_end(lexer)) return false;
  int32_t first = lexer->lookahead;
  int value_length = 0;
  while (!at_line_end(lexer)) {
    if (!is_blank(lexer->lookahead)) value_length++;
    advance(lexer);
  }
  bool known = key_is(key, length, "syntax") || key_is(key, length, "escape") ||
               key_is(key, length, "check");
  if (!known) return false;
  if (key_is(key, length, "escape") && value_length == 1 && (first == '`' || first == '\\')) {
    s->escape = first;
  }
  return true;
}

/* ------------------------------------------------------------------------ */
/* entry point                                                              */

static bool scan(Scanner *s, TSLexer *lexer, const bool *valid) {
  bool recovering = valid[ERROR_SENTINEL];

  if (!recovering && s->heredoc_count > 0 && (valid[HEREDOC_BODY] || valid[HEREDOC_END])) {
    return scan_heredoc_content(s, lexer, valid);
  }

  if (!recovering && valid[DIRECTIVE_VALUE]) {
    bool any = false;
    while (!at_line_end(lexer)) {
      bool blank = is_blank(lexer->lookahead);
      advance(lexer);
      if (!blank) {
        any = true;
        lexer->mark_end(lexer);
      }
    }
    lexer->result_symbol = DIRECTIVE_VALUE;
    return any;
  }

  /* A comment line inside a continuation, announced by the token before. */
  if (s->comment_next) {
    while (is_blank(lexer->lookahead)) skip(lexer);
    if (lexer->lookahead == '#') {
      consume_rest_of_line(lexer);
      consume_newline(lexer);
      s->comment_next = skip_blank_lines(lexer, s->after_ws);
      lexer->result_symbol = COMMENT;
      return true;
    }
    return false;
  }

  s->comment_next = false;
  int32_t c = lexer->lookahead;

  /* Top level, always at a line start: comment lines, blank lines, directives. */
  if ((valid[COMMENT_LINE] || valid[BLANK_LINE]) && !recovering && (c == '#' || is_blank(c) || is_newline(c))) {
    bool blanks = false;
    while (is_blank(lexer->lookahead)) {
      advance(lexer);
      blanks = true;
    }
    if (lexer->lookahead == '#' && valid[COMMENT_LINE]) {
      advance(lexer);
      lexer->mark_end(lexer);
      if (valid[DIRECTIVE_START] && scan_directive(s, lexer)) {
        lexer->result_symbol = DIRECTIVE_START;
        return true;
      }
      consume_rest_of_line(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = COMMENT_LINE;
      return true;
    }
    if (is_newline(lexer->lookahead) && valid[BLANK_LINE]) {
      consume_newline(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = BLANK_LINE;
      return true;
    }
    if (lexer->eof(lexer) && valid[BLANK_LINE] && c != 0) {
      lexer->mark_end(lexer);
      lexer->result_symbol = BLANK_LINE;
      return true;
    }
    /* indentation of an instruction: is it a FROM, which starts a stage? */
    if (!blanks) return false;
    lexer->mark_end(lexer);
    bool from = true;
    for (const char *k = "from"; *k; k++) {
      if ((lexer->lookahead | 0x20) != *k) {
        from = false;
        break;
      }
      advance(lexer);
    }
    from = from && (is_blank(lexer->lookahead) || at_line_end(lexer) || lexer->lookahead == s->escape);
    if (from && valid[INDENT_BEFORE_FROM]) {
      lexer->result_symbol = INDENT_BEFORE_FROM;
      return true;
    }
    if (valid[INDENT]) {
      lexer->result_symbol = INDENT;
      return true;
    }
    return false;
  }

  /*
   * Blanks at the start of a continued line, before flags or the arguments
   * of an instruction (`_sep` already took the blanks before the
   * continuation): not part of any token.
   */
  if ((valid[FLAG_NAME] || valid[JSON_OPEN]) && is_blank(c) && !recovering) {
    while (is_blank(lexer->lookahead)) skip(lexer);
    c = lexer->lookahead;
  }

  if (recovering) {
    /* Only self-delimiting tokens while the parser recovers from an error. */
    if (is_blank(c)) {
      while (is_blank(lexer->lookahead)) advance(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = WS;
      return true;
    }
    if (c == s->escape) {
      advance(lexer);
      uint32_t blanks;
      if (rest_is_continuation(lexer, &blanks) && !lexer->eof(lexer)) {
        return finish_continuation(s, lexer);
      }
      return false;
    }
    /*
     * The end of a line the parser could not read: offered as a blank
     * line, so that the error stops there and the next line (a FROM, an
     * instruction) is read as usual instead of joining the error.
     */
    if (is_newline(c) && valid[BLANK_LINE]) {
      consume_newline(lexer);
      lexer->mark_end(lexer);
      s->heredoc_count = 0;
      s->quote = 0;
      lexer->result_symbol = BLANK_LINE;
      return true;
    }
    return false;
  }

  /* End of an instruction, the newline before heredoc bodies, or blanks. */
  bool consumed_blanks = false;
  if ((valid[EOL] || valid[HEREDOC_NL] || valid[WS]) && (is_blank(c) || at_line_end(lexer))) {
    while (is_blank(lexer->lookahead)) {
      advance(lexer);
      consumed_blanks = true;
    }
    /* the end of a `_ws` token, if that is what this turns out to be */
    lexer->mark_end(lexer);
    if (at_line_end(lexer)) {
      if (s->heredoc_count > 0 && valid[HEREDOC_NL] && !lexer->eof(lexer)) {
        consume_newline(lexer);
        lexer->mark_end(lexer);
        s->quote = 0;
        lexer->result_symbol = HEREDOC_NL;
        return true;
      }
      if (valid[EOL]) {
        consume_newline(lexer);
        lexer->mark_end(lexer);
        s->heredoc_count = 0;
        s->quote = 0;
        lexer->result_symbol = EOL;
        return true;
      }
      lexer->result_symbol = WS;
      return consumed_blanks && valid[WS];
    }
    if (consumed_blanks && lexer->lookahead == s->escape && !valid[SHELL_FRAGMENT] &&
        !valid[DQ_TEXT] && !valid[SQ_TEXT] && valid[EOL]) {
      /*
       * Blanks, then a continuation that only blank or comment lines and the
       * end of the file follow: the instruction ends here.
       */
      advance(lexer);
      uint32_t blanks;
      lexer->result_symbol = WS;
      if (!rest_is_continuation(lexer, &blanks)) return valid[WS];
      for (;;) {
        consume_newline(lexer);
        while (is_blank(lexer->lookahead)) advance(lexer);
        if (lexer->eof(lexer)) break;
        if (lexer->lookahead == '#') {
          consume_rest_of_line(lexer);
        } else if (!is_newline(lexer->lookahead)) {
          return valid[WS];
        }
      }
      lexer->mark_end(lexer);
      s->heredoc_count = 0;
      s->quote = 0;
      lexer->result_symbol = EOL;
      return true;
    }
    if (consumed_blanks) {
      /* blanks are text inside quotes and in shell text */
      int kind = text_kind(valid);
      if (kind == SHELL_FRAGMENT || kind == DQ_TEXT || kind == SQ_TEXT) {
        return scan_text(s, lexer, valid, kind, true);
      }
      lexer->result_symbol = WS;
      return valid[WS];
    }
    c = lexer->lookahead;
  }

  /* Heredoc marker and delimiter. */
  if (valid[HEREDOC_DELIMITER]) {
    return scan_text(s, lexer, valid, HEREDOC_DELIMITER, false);
  }
  int kind = text_kind(valid);
  if (c == '<' && valid[HEREDOC_START] && (kind == SHELL_FRAGMENT || kind == TEXT)) {
    bool chomp;
    char name[MAX_DELIMITER];
    uint8_t length;
    if (scan_heredoc_marker(s, lexer, true, &chomp, name, &length)) {
      push_heredoc(s, chomp, name, length);
      lexer->result_symbol = HEREDOC_START;
      return true;
    }
    /* not a heredoc: the characters are text */
    lexer->mark_end(lexer);
    return kind >= 0 && scan_text(s, lexer, valid, kind, true);
  }

  /* Flags: `--name` (`--mount` apart) and the end-of-flags marker `--`. */
  if (c == '-' && (valid[FLAG_NAME] || valid[END_OF_FLAGS])) {
    advance(lexer);
    if (lexer->lookahead == '-') {
      advance(lexer);
      lexer->mark_end(lexer);
      if (is_alpha(lexer->lookahead) && valid[FLAG_NAME]) {
        char name[5];
        int n = 0;
        while (is_alnum(lexer->lookahead) || lexer->lookahead == '-' || lexer->lookahead == '_') {
          if (n < 5) name[n] = (char)lexer->lookahead;
          n++;
          advance(lexer);
        }
        lexer->mark_end(lexer);
        bool mount = n == 5 && memcmp(name, "mount", 5) == 0 && lexer->lookahead == '=';
        lexer->result_symbol = mount && valid[MOUNT_FLAG_NAME] ? MOUNT_FLAG_NAME : FLAG_NAME;
        return true;
      }
      if ((is_blank(lexer->lookahead) || at_line_end(lexer)) && valid[END_OF_FLAGS]) {
        lexer->result_symbol = END_OF_FLAGS;
        return true;
      }
    } else {
      lexer->mark_end(lexer);
    }
    if (valid[ONBUILD_TRIGGER]) {
      /* `ONBUILD -x`: no flag, a trigger BuildKit keeps for later */
      consume_logical_line(s, lexer);
      lexer->result_symbol = ONBUILD_TRIGGER;
      return true;
    }
    return kind >= 0 && scan_text(s, lexer, valid, kind, true);
  }

  /*
   * After ONBUILD: a trigger whose first word is no instruction keyword is
   * kept for the child image's build, which judges it (BuildKit accepts
   * `ONBUILD BOGUS x` here); it runs to the end of the line. A keyword is
   * left to the parser.
   */
  bool word_here = !at_line_end(lexer) && !is_blank(c) && c != s->escape;
  if (valid[ONBUILD_TRIGGER] && word_here) {
    static const char *keywords[] = {"from",   "run",     "cmd",     "label",       "maintainer",
                                     "expose", "env",     "add",     "copy",        "entrypoint",
                                     "volume", "user",    "workdir", "arg",         "onbuild",
                                     "stopsignal", "healthcheck", "shell"};
    char word[12];
    int n = 0;
    while (is_alpha(lexer->lookahead)) {
      if (n < (int)sizeof(word)) word[n] = (char)(lexer->lookahead | 0x20);
      n++;
      advance(lexer);
    }
    bool ends = is_blank(lexer->lookahead) || at_line_end(lexer) || lexer->lookahead == s->escape;
    if (ends && n > 0 && n <= (int)sizeof(word)) {
      for (unsigned i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if ((int)strlen(keywords[i]) == n && memcmp(keywords[i], word, n) == 0) return false;
      }
    }
    consume_logical_line(s, lexer);
    lexer->result_symbol = ONBUILD_TRIGGER;
    return true;
  }

  /*
   * FROM's words after the image that are not `AS name` (BuildKit's "one
   * or three arguments"): the rest of the line, so that the stage stays
   * whole. `AS` is left to the parser.
   */
  if (valid[FROM_EXTRA] && word_here) {
    char word[3];
    int n = 0;
    while (is_alpha(lexer->lookahead)) {
      if (n < 3) word[n] = (char)(lexer->lookahead | 0x20);
      n++;
      advance(lexer);
    }
    bool ends = is_blank(lexer->lookahead) || at_line_end(lexer) || lexer->lookahead == s->escape;
    if (ends && n == 2 && word[0] == 'a' && word[1] == 's') return false;
    consume_rest_of_logical_line(s, lexer);
    lexer->result_symbol = FROM_EXTRA;
    return true;
  }

  /* Exec form. */
  if (c == '[' && valid[JSON_OPEN]) {
    advance(lexer);
    lexer->mark_end(lexer);
    bool ok = rest_is_json_array(s, lexer);
    if (ok) {
      lexer->result_symbol = JSON_OPEN;
      return true;
    }
    /*
     * Not JSON: the `[` (already marked) starts shell text, which runs on
     * through blanks, or a word. The check read on, maybe past blanks, and
     * the lexer cannot go back: a word's `[` is a token on its own and the
     * rest of the word the next one.
     */
    if (kind == SHELL_FRAGMENT) return scan_text(s, lexer, valid, kind, true);
    if (kind < 0) return false;
    lexer->result_symbol = kind;
    return true;
  }

  if (kind >= 0) return scan_text(s, lexer, valid, kind, false);

  /* A continuation where no text is expected. */
  if (c == s->escape) {
    advance(lexer);
    uint32_t blanks;
    if (rest_is_continuation(lexer, &blanks)) return finish_continuation(s, lexer);
  }
  return false;
}

/* ------------------------------------------------------------------------ */
/* tree-sitter interface                                                    */

void *tree_sitter_dockerfile_external_scanner_create(void) {
  Scanner *s = (Scanner *)calloc(1, sizeof(Scanner));
  s->escape = '\\';
  return s;
}

void tree_sitter_dockerfile_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_dockerfile_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = (Scanner *)payload;
  unsigned n = 0;
  buffer[n++] = (char)(s->escape == '`' ? 1 : 0);
  buffer[n++] = (char)s->comment_next;
  buffer[n++] = (char)s->quote;
  buffer[n++] = (char)s->after_ws;
  buffer[n++] = (char)s->heredoc_count;
  for (uint8_t i = 0; i < s->heredoc_count; i++) {
    Heredoc *h = &s->heredocs[i];
    if (n + 2 + h->length > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
    buffer[n++] = (char)h->chomp;
    buffer[n++] = (char)h->length;
    memcpy(&buffer[n], h->name, h->length);
    n += h->length;
  }
  return n;
}

void tree_sitter_dockerfile_external_scanner_deserialize(void *payload, const char *buffer,
                                                         unsigned length) {
  Scanner *s = (Scanner *)payload;
  /* called before every scan: reset only the fields, not the whole buffer */
  s->escape = '\\';
  s->comment_next = false;
  s->quote = 0;
  s->after_ws = false;
  s->heredoc_count = 0;
  if (length < 5) return;
  unsigned n = 0;
  s->escape = buffer[n++] ? '`' : '\\';
  s->comment_next = buffer[n++] != 0;
  s->quote = (uint8_t)buffer[n++];
  s->after_ws = buffer[n++] != 0;
  uint8_t count = (uint8_t)buffer[n++];
  for (uint8_t i = 0; i < count && i < MAX_HEREDOCS && n + 2 <= length; i++) {
    Heredoc *h = &s->heredocs[i];
    h->chomp = buffer[n++] != 0;
    h->length = (uint8_t)buffer[n++];
    if (h->length > MAX_DELIMITER || n + h->length > length) break;
    memcpy(h->name, &buffer[n], h->length);
    n += h->length;
    s->heredoc_count = i + 1;
  }
}

bool tree_sitter_dockerfile_external_scanner_scan(void *payload, TSLexer *lexer,
                                                  const bool *valid_symbols) {
  Scanner *s = (Scanner *)payload;
  if (!scan(s, lexer, valid_symbols)) return false;
  TSSymbol symbol = lexer->result_symbol;
  if (symbol == WS) {
    s->after_ws = true;
  } else if (symbol != LINE_CONTINUATION && symbol != COMMENT) {
    s->after_ws = false;
  }
  return true;
}
