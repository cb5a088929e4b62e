// SPDX-License-Identifier: Apache-2.0
package org.incept;

/**
 * The order of a 4-D input's dimensions. incept's tensors are {@link #NHWC} (channels last: what
 * {@link Interpreter#inputBuffer} holds, {@code [1, H, W, 3]} for an image); PyTorch's are {@link #NCHW}
 * ({@code [1, 3, H, W]}). A buffer cannot say which it is: an NCHW array copied in as NHWC gives wrong
 * answers without an error, so {@link Interpreter#setInput(int, float[], Layout)} takes the layout.
 */
public enum Layout {
  /** {@code [N, H, W, C]}: incept's own order, copied as it is. */
  NHWC,
  /** {@code [N, C, H, W]}: PyTorch's order, transposed to NHWC on the copy. */
  NCHW
}
