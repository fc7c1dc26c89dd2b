// For Jest only (see jest.config.js): the CommonJS content-disposition, with
// the `create` name the ES module version exports.
const contentDisposition = require('../../node_modules/content-disposition/index.js');

module.exports = contentDisposition;
module.exports.create = contentDisposition;
