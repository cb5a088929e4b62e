// SPDX-License-Identifier: Apache-2.0
// Everything a C++ application needs: #include "incept/incept.h".
#pragma once

#include "incept/interpreter.h"
#include "incept/model.h"
#include "incept/shape.h"
#include "incept/status.h"
#include "incept/text.h"
