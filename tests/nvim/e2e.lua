-- End-to-end test in a real Neovim, run by tests/nvim.rs:
--   nvim --headless --clean --cmd 'set rtp^=editors/nvim' -l tests/nvim/e2e.lua SERVER FILE
-- Uses editors/nvim as a user would (filetype detection, lsp/dockerfile_lsp.lua,
-- the highlighting plugin) and checks each step; any failure exits non-zero
-- with a message on stderr.

local server, file = arg[1], arg[2]
local failures = 0

local function check(ok, what)
  io.stderr:write((ok and 'ok   ' or 'FAIL ') .. what .. '\n')
  if not ok then
    failures = failures + 1
  end
  return ok
end

local function wait(ms, cond)
  return vim.wait(ms, cond, 20)
end

-- Runtime files under 'runtimepath' are loaded after `-l` scripts start, so
-- source what a normal start would.
vim.cmd('filetype plugin on')
vim.cmd('runtime! ftdetect/*.lua plugin/dockerfile_lsp.lua')

-- Filetype detection for every name a Dockerfile goes by.
for _, name in ipairs({
  'Dockerfile', 'Containerfile', 'Dockerfile.dev', 'Containerfile.prod',
  'api.Dockerfile', 'api.dockerfile', 'api.containerfile',
}) do
  check(vim.filetype.match({ filename = '/p/' .. name }) == 'dockerfile', 'filetype of ' .. name)
end

vim.lsp.config('dockerfile_lsp', { cmd = { server } })
vim.lsp.enable('dockerfile_lsp')
vim.cmd.edit(file)
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'dockerfile', 'the fixture opens as dockerfile')

-- Highlighting with our grammar and queries.
local ok_parser, parser = pcall(vim.treesitter.get_parser, buf, 'dockerfile_lsp')
if check(ok_parser and parser ~= nil, 'our grammar is the parser') then
  local tree = parser:parse()[1]
  check(not tree:root():has_error(), 'the fixture parses clean')
  local query = vim.treesitter.query.get('dockerfile_lsp', 'highlights')
  local captures = {}
  if check(query ~= nil, 'the highlights query loads') then
    for id, node in query:iter_captures(tree:root(), buf) do
      local row = node:range()
      captures[#captures + 1] = query.captures[id] .. '@' .. row
    end
  end
  check(vim.tbl_contains(captures, 'keyword@1'), 'FROM is highlighted as a keyword')
  -- bash is injected into each RUN command (highlighted once a bash parser
  -- is installed)
  local injections = vim.treesitter.query.get('dockerfile_lsp', 'injections')
  local injected = {}
  if check(injections ~= nil, 'the injections query loads') then
    for id, node in injections:iter_captures(tree:root(), buf) do
      if injections.captures[id] == 'injection.content' then
        injected[#injected + 1] = vim.treesitter.get_node_text(node, buf)
      end
    end
  end
  check(vim.tbl_contains(injected, 'npm ci') and vim.tbl_contains(injected, 'npm run build'),
    'RUN commands are injected: ' .. table.concat(injected, ' | '))
end

local client
check(wait(10000, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'dockerfile_lsp' })[1]
  return client ~= nil and client.initialized
end), 'the server attaches')

-- Diagnostics arrive.
check(wait(10000, function()
  return #vim.diagnostic.get(buf) > 0
end), 'diagnostics arrive')
local codes = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  codes[#codes + 1] = tostring(d.code) .. '@' .. d.lnum
end
check(vim.tbl_contains(codes, 'FromAsCasing@1'), 'FromAsCasing on line 2: ' .. table.concat(codes, ' '))

local function find(pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(pattern, 1, true)
    if col then
      return i, col - 1
    end
  end
end

-- Hover on a stage name explains what the stage is for.
local row, col = find('AS build')
vim.api.nvim_win_set_cursor(0, { row, col + 3 })
local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000) or {}
local text = ''
for _, response in pairs(hover) do
  if response.result then
    text = text .. vim.inspect(response.result.contents)
  end
end
check(text:find('**build** — builds the application', 1, true) ~= nil
  and text:find('Used by: **runner**', 1, true) ~= nil,
  'hover on the build stage gives its purpose: ' .. text:sub(1, 200))

-- Go to definition on --from=build moves the cursor to the build stage.
local from_row, from_col = find('--from=build')
vim.api.nvim_win_set_cursor(0, { from_row, from_col + #'--from=b' })
vim.lsp.buf.definition()
check(wait(5000, function()
  return vim.api.nvim_win_get_cursor(0)[1] == row
end), 'definition moves the cursor from line ' .. from_row .. ' to line ' .. row
  .. ' (now ' .. vim.api.nvim_win_get_cursor(0)[1] .. ')')

-- A code action's edit is applied to the buffer.
vim.api.nvim_win_set_cursor(0, { 2, 13 })
vim.lsp.buf.code_action({
  apply = true,
  filter = function(action)
    return action.kind == 'quickfix' and action.title:find('AS', 1, true) ~= nil
  end,
})
check(wait(5000, function()
  return vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1] == 'FROM node:22 AS deps'
end), 'the FromAsCasing quick fix is applied: '
  .. vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1])
-- ... and the server sees the edit: the warning goes away.
check(wait(5000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'FromAsCasing' then
      return false
    end
  end
  return true
end), 'the diagnostic is gone after the edit')

vim.lsp.stop_client(client.id)
os.exit(failures == 0 and 0 or 1)
