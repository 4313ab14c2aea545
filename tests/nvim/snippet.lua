-- The README's configuration without the plugin, in a clean Neovim, run by
-- tests/nvim.rs:
--   nvim --headless --clean -l tests/nvim/snippet.lua SNIPPET DIR
-- SNIPPET is the Lua block of editors/nvim/README.md's "nvim-lspconfig"
-- section, run as a user's init.lua would; `dockerfile-lsp` is on PATH.
-- For every Dockerfile name Neovim detects by itself, the server attaches
-- and publishes diagnostics.

local snippet, dir = arg[1], arg[2]
local failures = 0

local function check(ok, what)
  io.stderr:write((ok and 'ok   ' or 'FAIL ') .. what .. '\n')
  if not ok then
    failures = failures + 1
  end
  return ok
end

dofile(snippet)
vim.cmd('filetype on')

local text = {
  'FROM node:22 AS build',
  'RUN npm ci',
  'FROM node:22-slim',
  'COPY --from=biuld /app/dist ./dist',
}
for _, name in ipairs({ 'Dockerfile', 'Containerfile', 'Dockerfile.dev', 'api.dockerfile' }) do
  local path = dir .. '/' .. name
  vim.fn.writefile(text, path)
  vim.cmd.edit(path)
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'dockerfile', name .. ' opens as dockerfile')
  local attached = vim.wait(10000, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'dockerfile_lsp' }) > 0
  end, 20)
  check(attached, 'the server attaches to ' .. name)
  local got = vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find('biuld', 1, true) then
        return true
      end
    end
    return false
  end, 20)
  check(got, 'the unknown stage is reported in ' .. name)
end

for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_clients() == 0
end, 20)
os.exit(failures == 0 and 0 or 1)
