/**
 * Tree-sitter grammar for Dockerfiles, written for the dockerfile-lsp
 * language server.
 *
 * Design:
 * - Whitespace is explicit (`_ws`): a line continuation may sit between two
 *   pieces of one word (`hello\<newline>world` is one word, as BuildKit
 *   reads it), so whitespace, not token adjacency, separates arguments.
 * - The external scanner (src/scanner.c) owns everything that depends on the
 *   active escape character or on more than one line: line continuations,
 *   comment and blank lines (also inside continuations), the end of an
 *   instruction, runs of argument text, opaque shell text, the choice between
 *   exec form (JSON) and shell form, heredocs and parser directives.
 * - Shell text is an opaque run of `shell_fragment`s; editors inject bash.
 */

const NAME = /[A-Za-z_][A-Za-z0-9_]*/;

/** A case-insensitive instruction keyword, shown in the tree as `word`. */
function kw(word) {
  const pattern = word
    .split('')
    .map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)
    .join('');
  return alias(new RegExp(pattern), word);
}

/**
 * Every instruction accepts leading `--flags` as BuildKit's parser does;
 * which flags are allowed where is checked by the server. Written inline
 * (not as a rule of its own) so that the parser decides between another
 * flag and the arguments only after the blanks.
 */
function flags($) {
  return repeat(seq($._sep, field('flag', choice($.flag, $.mount_flag, $.end_of_flags))));
}

/**
 * The flags, then (after blanks) the arguments if there are any: an
 * instruction keyword alone on its line is that instruction without
 * arguments (BuildKit accepts a bare RUN, CMD or ENTRYPOINT and rejects the
 * others in words of its own), not an error that eats the next lines.
 */
function flagsThenArgs($, args) {
  return seq(flags($), optional(seq($._sep, args)));
}

/** `item (sep item)*` */
function sepBy1(sep, item) {
  return seq(item, repeat(seq(sep, item)));
}

module.exports = grammar({
  name: 'dockerfile',

  externals: ($) => [
    $._eol,
    $.line_continuation,
    $.comment,
    $._blank_line,
    $._comment_line,
    $._directive_start,
    $.directive_value,
    $.flag_name,
    $._mount_flag_name,
    $.end_of_flags,
    $._json_open,
    $.shell_fragment,
    $._heredoc_start,
    $.heredoc_delimiter,
    $._heredoc_nl,
    $.heredoc_body,
    $.heredoc_end,
    $._text,
    $._key_text,
    $._value_text,
    $._dq_text,
    $._sq_text,
    $._option_text,
    $._brace_text,
    $._image_name_text,
    $._image_tag_text,
    $._image_digest_text,
    $._ws,
    $._indent,
    $._indent_before_from,
    $._onbuild_trigger,
    $._from_extra,
    $._error_sentinel,
  ],

  // Comment lines inside a continuation are extras; the blank lines there
  // belong to the continuation or comment token before them.
  extras: ($) => [$.line_continuation, $.comment],


  // Helper rules that only group or choose: inlined, so that they cost no
  // reduction (and no node) of their own.
  inline: ($) => [
    $._instruction,
    $._sep,
    $._command,
    $._plain_command,
    $._path_list,
    $._key_values,
    $._string_arg,
    $._option_piece,
  ],

  conflicts: ($) => [],

  rules: {
    // Instructions are grouped by stage: a stage is a FROM and the lines up
    // to the next FROM. Besides giving the server its stages, this keeps an
    // edit's reparse cheap: tree-sitter reuses the top-level repeat one item
    // at a time, and the items are now stages rather than instructions.
    source_file: ($) =>
      seq(
        repeat(seq($.parser_directive, $._eol)),
        repeat($._line),
        repeat($.stage),
      ),

    // The scanner tells indentation before a FROM from other indentation, so
    // that the parser knows where a stage starts.
    stage: ($) =>
      prec.right(
        seq(
          optional($._indent_before_from),
          field('from', $.from_instruction),
          $._eol,
          repeat($._line),
        ),
      ),

    // Any line but a FROM.
    _line: ($) =>
      choice(
        seq(optional($._indent), $._instruction, $._eol),
        seq(alias($._comment_line, $.comment), $._eol),
        $._blank_line,
      ),


    // One separator token: the indentation of a continued line after
    // blanks is padding (see the scanner), so `_ws` never repeats.
    _sep: ($) => $._ws,

    parser_directive: ($) =>
      seq(
        $._directive_start,
        field('name', alias(/[A-Za-z][A-Za-z0-9]*/, $.directive_name)),
        optional($._ws),
        '=',
        optional($._ws),
        field('value', $.directive_value),
      ),

    _instruction: ($) =>
      choice(
        $.run_instruction,
        $.cmd_instruction,
        $.label_instruction,
        $.maintainer_instruction,
        $.expose_instruction,
        $.env_instruction,
        $.add_instruction,
        $.copy_instruction,
        $.entrypoint_instruction,
        $.volume_instruction,
        $.user_instruction,
        $.workdir_instruction,
        $.arg_instruction,
        $.onbuild_instruction,
        $.stopsignal_instruction,
        $.healthcheck_instruction,
        $.shell_instruction,
      ),

    flag: ($) =>
      seq(
        field('name', $.flag_name),
        optional(seq('=', optional(field('value', $.flag_value)))),
      ),
    flag_value: ($) => $._quoted_word,

    mount_flag: ($) =>
      seq(
        field('name', alias($._mount_flag_name, $.flag_name)),
        '=',
        sepBy1(',', field('option', $.mount_option)),
      ),
    mount_option: ($) =>
      seq(
        field('key', alias(repeat1($._option_piece), $.option_key)),
        optional(
          seq('=', optional(field('value', alias(repeat1($._option_piece), $.option_value)))),
        ),
      ),
    _option_piece: ($) =>
      choice($._option_text, $.expansion, $.double_quoted_string, $.single_quoted_string),

    // --- FROM -------------------------------------------------------------
    from_instruction: ($) =>
      seq(
        kw('FROM'),
        flagsThenArgs(
          $,
          seq(
            field('image', $.image_spec),
            // The wrong counts parse too (BuildKit's "one or three
            // arguments"): `AS` without its name, another word than `AS`,
            // words after the name.
            optional(
              seq(
                $._sep,
                choice(
                  seq(
                    kw('AS'),
                    optional(
                      seq(
                        $._sep,
                        field('name', $.stage_name),
                        optional(seq($._sep, field('extra', $.extra_arguments))),
                      ),
                    ),
                  ),
                  field('extra', $.extra_arguments),
                ),
              ),
            ),
          ),
        ),
      ),

    image_spec: ($) =>
      seq(
        field('name', $.image_name),
        optional(seq(':', optional(field('tag', $.image_tag)))),
        optional(seq('@', optional(field('digest', $.image_digest)))),
      ),
    image_name: ($) => repeat1(choice($._image_name_text, $.expansion)),
    image_tag: ($) => repeat1(choice($._image_tag_text, $.expansion)),
    image_digest: ($) => repeat1(choice($._image_digest_text, $.expansion)),
    stage_name: ($) => repeat1(choice($._text, $.expansion)),
    extra_arguments: ($) => $._from_extra,

    // --- shell / exec form ------------------------------------------------
    run_instruction: ($) =>
      seq(kw('RUN'), flagsThenArgs($, seq($._command, repeat($.heredoc_block)))),
    // BuildKit reads heredocs only for RUN, COPY and ADD: elsewhere `<<EOF`
    // is plain text and the lines after it are instructions.
    cmd_instruction: ($) => seq(kw('CMD'), flagsThenArgs($, $._plain_command)),
    entrypoint_instruction: ($) => seq(kw('ENTRYPOINT'), flagsThenArgs($, $._plain_command)),
    shell_instruction: ($) => seq(kw('SHELL'), flagsThenArgs($, $._plain_command)),

    _command: ($) => choice(field('exec', $.json_array), field('shell', $.shell_command)),
    _plain_command: ($) =>
      choice(field('exec', $.json_array), field('shell', alias($._plain_shell, $.shell_command))),

    shell_command: ($) => repeat1(choice($.shell_fragment, $.heredoc_marker)),
    _plain_shell: ($) => repeat1($.shell_fragment),

    json_array: ($) =>
      seq(
        alias($._json_open, '['),
        optional($._sep),
        optional(
          seq(
            $.json_string,
            repeat(seq(optional($._sep), ',', optional($._sep), $.json_string)),
            optional($._sep),
          ),
        ),
        ']',
      ),
    json_string: (_) => token(seq('"', repeat(choice(/[^"\\\r\n]/, /\\[^\r\n]/)), '"')),

    heredoc_marker: ($) => seq($._heredoc_start, field('delimiter', $.heredoc_delimiter)),
    heredoc_block: ($) =>
      seq($._heredoc_nl, optional(field('body', $.heredoc_body)), field('end', $.heredoc_end)),

    // --- COPY / ADD / VOLUME ------------------------------------------------
    copy_instruction: ($) =>
      seq(kw('COPY'), flagsThenArgs($, seq($._path_list, repeat($.heredoc_block)))),
    add_instruction: ($) =>
      seq(kw('ADD'), flagsThenArgs($, seq($._path_list, repeat($.heredoc_block)))),
    _path_list: ($) =>
      choice(
        field('exec', $.json_array),
        sepBy1($._sep, field('path', choice($.path, $.heredoc_marker))),
      ),
    path: ($) => $._word,

    volume_instruction: ($) =>
      seq(
        kw('VOLUME'),
        flagsThenArgs(
          $,
          choice(field('exec', $.json_array), sepBy1($._sep, field('path', $.path))),
        ),
      ),

    // --- simple word lists ------------------------------------------------
    expose_instruction: ($) =>
      seq(kw('EXPOSE'), flagsThenArgs($, sepBy1($._sep, field('port', $.expose_port)))),
    expose_port: ($) => $._word,

    user_instruction: ($) => seq(kw('USER'), flagsThenArgs($, $._string_arg)),
    workdir_instruction: ($) => seq(kw('WORKDIR'), flagsThenArgs($, $._string_arg)),
    stopsignal_instruction: ($) => seq(kw('STOPSIGNAL'), flagsThenArgs($, $._string_arg)),
    // BuildKit expands no variable in MAINTAINER: its text is opaque.
    maintainer_instruction: ($) =>
      seq(
        kw('MAINTAINER'),
        flagsThenArgs($, field('value', alias($._plain_shell, $.string_value))),
      ),
    // BuildKit takes the rest of the line as one string; the words stay
    // separate nodes so that expansions and positions are kept.
    _string_arg: ($) => field('value', $.string_value),
    string_value: ($) => sepBy1($._sep, $._word),

    // --- ENV / LABEL / ARG ------------------------------------------------
    env_instruction: ($) => seq(kw('ENV'), flagsThenArgs($, $._key_values)),
    label_instruction: ($) => seq(kw('LABEL'), flagsThenArgs($, $._key_values)),
    // BuildKit's errors are read from the tree, so the wrong forms parse
    // too: a pair without its name (`=b`), a word without `=` after a pair
    // (`a=b c`, a `key` standing as the pair), a legacy key without value.
    _key_values: ($) =>
      choice(
        seq(
          field('pair', $.key_value),
          repeat(seq($._sep, field('pair', choice($.key_value, $.key)))),
        ),
        field('pair', $.legacy_key_value),
      ),
    key_value: ($) =>
      seq(optional(field('key', $.key)), '=', optional(field('value', $.value))),
    legacy_key_value: ($) =>
      seq(
        field('key', $.key),
        optional(seq($._sep, field('value', alias($._legacy_value, $.value)))),
      ),
    _legacy_value: ($) => prec.right(sepBy1($._sep, $._quoted_word)),

    arg_instruction: ($) =>
      seq(
        kw('ARG'),
        flagsThenArgs($, sepBy1($._sep, field('argument', $.arg_declaration))),
      ),
    arg_declaration: ($) =>
      choice(
        seq(field('name', $.key), optional(seq('=', optional(field('default', $.value))))),
        seq('=', optional(field('default', $.value))),
      ),

    key: ($) =>
      repeat1(choice($._key_text, $.expansion, $.double_quoted_string, $.single_quoted_string)),
    value: ($) => $._quoted_word,

    // --- ONBUILD / HEALTHCHECK ---------------------------------------------
    onbuild_instruction: ($) =>
      seq(
        kw('ONBUILD'),
        flagsThenArgs(
          $,
          field(
            'instruction',
            choice(
            $.from_instruction,
            $.run_instruction,
            $.cmd_instruction,
            $.label_instruction,
            $.maintainer_instruction,
            $.expose_instruction,
            $.env_instruction,
            $.add_instruction,
            $.copy_instruction,
            $.entrypoint_instruction,
            $.volume_instruction,
            $.user_instruction,
            $.workdir_instruction,
            $.arg_instruction,
            $.stopsignal_instruction,
            $.healthcheck_instruction,
            $.shell_instruction,
            alias($._onbuild_trigger, $.onbuild_trigger),
          ),
        ),
        ),
      ),

    healthcheck_instruction: ($) =>
      seq(
        kw('HEALTHCHECK'),
        flags($),
        optional(
          seq(
            $._sep,
            field('type', alias(/[A-Za-z]+/, $.healthcheck_type)),
            optional(seq($._sep, $._plain_command)),
          ),
        ),
      ),

    // --- words ------------------------------------------------------------
    // A word in a whitespace-split argument list: quotes are plain text there.
    _word: ($) => repeat1(choice($._text, $.expansion)),
    // A word where quotes group text (ENV, LABEL, ARG values, flag values).
    _quoted_word: ($) =>
      repeat1(choice($._value_text, $.expansion, $.double_quoted_string, $.single_quoted_string)),

    // BuildKit's word splitter accepts a quote still open at the end of the
    // line, so the closing quote is optional.
    double_quoted_string: ($) =>
      prec.right(seq('"', repeat(choice($._dq_text, $.expansion)), optional('"'))),
    single_quoted_string: ($) => prec.right(seq("'", repeat($._sq_text), optional("'"))),

    expansion: ($) =>
      choice(
        seq('$', field('name', alias(token.immediate(NAME), $.variable))),
        seq(
          '${',
          // (a positional parameter, `${1}`, is a name for BuildKit too)
          field('name', alias(token.immediate(choice(NAME, /[0-9]+/)), $.variable)),
          optional(
            seq(
              field(
                'operator',
                alias(
                  token.immediate(choice(':-', '-', ':+', '+', ':?', '?', '#', '##', '%', '%%', '/', '//')),
                  $.expansion_operator,
                ),
              ),
              optional(field('argument', $.expansion_argument)),
            ),
          ),
          '}',
        ),
      ),
    expansion_argument: ($) =>
      repeat1(choice($._brace_text, $.expansion, $.double_quoted_string, $.single_quoted_string)),
  },
});
