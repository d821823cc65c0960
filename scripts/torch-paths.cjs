// Prints libtorch's include folders or library folder for binding.gyp.
// LIBTORCH (a libtorch folder) overrides Debian's system install.
'use strict';
const path = require('path');
const fs = require('fs');
const root = process.env.LIBTORCH;
const what = process.argv[2];
if (root) {
  if (what === 'include') {
    console.log([path.join(root, 'include'), path.join(root, 'include/torch/csrc/api/include')].join(' '));
  } else {
    console.log(path.join(root, 'lib'));
  }
} else if (what === 'include') {
  console.log(['/usr/include', '/usr/include/torch/csrc/api/include'].filter((p) => fs.existsSync(p)).join(' '));
} else {
  console.log('/usr/lib/x86_64-linux-gnu');
}
