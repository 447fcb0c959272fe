package dev.gowork.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the one-way stack of ARCHITECTURE.md: coordinator → broker-adapter ← worker-runtime, cli on top. */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.gowork");
  }

  @Test
  void brokerAdapterDependsOnNoOtherModule() {
    noClasses().that().resideInAPackage("dev.gowork.broker..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.gowork.coordinator..", "dev.gowork.worker..", "dev.gowork.cli..")
        .check(classes);
  }

  @Test
  void coordinatorNeverSeesTheWorker() {
    noClasses().that().resideInAPackage("dev.gowork.coordinator..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.gowork.worker..", "dev.gowork.cli..")
        .check(classes);
  }

  @Test
  void workerNeverSeesTheCoordinator() {
    noClasses().that().resideInAPackage("dev.gowork.worker..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.gowork.coordinator..", "dev.gowork.cli..")
        .check(classes);
  }
}
