describe('@rdpfix/runbook entry point', () => {
  it('re-exports the contract and the library', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('./index');
    for (const name of [
      'SCRIPT_NAMES',
      'HEADER_PATTERN',
      'PARAMS_LINE_PATTERN',
      'MAX_RESULT_LINE_CHARS',
      'renderScript',
      'parseScriptOutput',
      'parseQuserRows',
      'findPs3Constructs',
      'parsePowerShell',
      'findScriptsDir',
      'checkScriptParams',
      'RunbookParamError',
    ]) {
      expect(lib[name]).toBeDefined();
    }
  });

  it('does not load the grammar (a devDependency) until it is used', () => {
    jest.isolateModules(() => {
      jest.doMock('web-tree-sitter', () => {
        throw new Error('web-tree-sitter loaded eagerly');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('./index')).not.toThrow();
    });
    jest.dontMock('web-tree-sitter');
  });
});
