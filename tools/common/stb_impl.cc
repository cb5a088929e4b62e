// SPDX-License-Identifier: Apache-2.0
// The one translation unit that compiles Debian's stb_image / stb_image_resize (libstb-dev) for the
// tools: decoders for PNG, JPEG, BMP and PNM (PPM/PGM) only, from memory only (common/image.cc reads the files).
// Built with warnings off: this is third-party code (tools/CMakeLists.txt).
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_PNM
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
#define STBI_MAX_DIMENSIONS (1 << 16)
#include <stb/stb_image.h>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>
