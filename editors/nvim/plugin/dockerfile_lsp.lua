-- Highlighting with our grammar when its parser has been built
-- (`make -C editors/nvim parser`, or see the README): the grammar is
-- registered as `dockerfile_lsp` so that it never clashes with
-- nvim-treesitter's own `dockerfile` parser, and used for the filetype.
local here = debug.getinfo(1, 'S').source:sub(2)
local root = vim.fn.fnamemodify(here, ':p:h:h')
local parser = root .. '/parser/dockerfile_lsp.so'
if vim.uv.fs_stat(parser) then
  vim.treesitter.language.add('dockerfile_lsp', { path = parser, symbol_name = 'dockerfile' })
  vim.treesitter.language.register('dockerfile_lsp', 'dockerfile')
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'dockerfile',
    group = vim.api.nvim_create_augroup('dockerfile_lsp_highlight', {}),
    callback = function(args)
      pcall(vim.treesitter.start, args.buf, 'dockerfile_lsp')
    end,
  })
end
