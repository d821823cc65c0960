{
  "targets": [
    {
      "target_name": "torch_node",
      "sources": [
        "native/addon.cc",
        "native/core.cc",
        "native/tensor.cc",
        "native/dispatch.cc",
        "native/autograd.cc",
        "native/runtime.cc",
        "native/optim.cc",
        "native/random.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/torch-paths.cjs include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node scripts/torch-paths.cjs lib)",
        "-Wl,-rpath,<!(node scripts/torch-paths.cjs lib)",
        "-ltorch", "-ltorch_cpu", "-lc10"
      ]
    }
  ]
}
