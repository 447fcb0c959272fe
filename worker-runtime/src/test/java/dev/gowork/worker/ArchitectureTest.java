package dev.gowork.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The worker stands on broker-adapter only, and its packages form a one-way stack. */
class ArchitectureTest {
  static final JavaClasses WORKER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.gowork.worker");

  @Test
  void theWorkerNeverDependsOnTheCoordinator() {
    noClasses().should().dependOnClassesThat().resideInAPackage("dev.gowork.coordinator..").check(WORKER);
  }

  @Test
  void handlersAndSessionsKnowNothingOfTheRuntime() {
    noClasses().that().resideInAnyPackage("dev.gowork.worker.handler..", "dev.gowork.worker.session..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.gowork.worker.runtime..")
        .check(WORKER);
    slices().matching("dev.gowork.worker.(*)..").should().beFreeOfCycles().check(WORKER);
  }
}
