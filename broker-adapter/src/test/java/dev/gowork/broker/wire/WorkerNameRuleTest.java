package dev.gowork.broker.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkerNameRuleTest {

  @Test
  void ordinaryNamesInAnyScriptAreValid() {
    assertTrue(WorkerNameRule.isValid("web-1"));
    assertTrue(WorkerNameRule.isValid("ingest worker @ eu-west/3"));
    assertTrue(WorkerNameRule.isValid("処理-2 café"));
    assertTrue(WorkerNameRule.isValid("x".repeat(WorkerNameRule.MAX_CHARS)));
  }

  @Test
  void namesThatAreNotTheTextTheyLookLikeAreRefused() {
    assertFalse(WorkerNameRule.isValid("safe\u202Ename"), "right-to-left override");
    assertFalse(WorkerNameRule.isValid("web\u200B1"), "zero-width space");
    assertFalse(WorkerNameRule.isValid("web\u200D1"), "zero-width joiner");
    assertFalse(WorkerNameRule.isValid("web\u20281"), "line separator");
    assertFalse(WorkerNameRule.isValid("web\u20291"), "paragraph separator");
    assertFalse(WorkerNameRule.isValid("web\u001B[31m"), "an escape sequence");
    assertFalse(WorkerNameRule.isValid("web\t1"), "a tab");
    assertFalse(WorkerNameRule.isValid("web\uD8001"), "a lone surrogate");
  }

  @Test
  void blankMissingAndOverLongNamesAreRefused() {
    assertFalse(WorkerNameRule.isValid(null));
    assertFalse(WorkerNameRule.isValid(""));
    assertFalse(WorkerNameRule.isValid("   "));
    assertFalse(WorkerNameRule.isValid("x".repeat(WorkerNameRule.MAX_CHARS + 1)));
  }
}
